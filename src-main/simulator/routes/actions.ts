// The simulator's 51 action routes (the spec's `POST …/actions/…` operations), each a task whose
// effect lands when it ends.
import { targetRecord as target } from '../http/context'
import { XapiError, fromXapiCall, xoError, type XapiCall } from '../http/xo-errors'
import type { CollectionName, XoRecord } from '../lab/types'
import {
  assertPowerState,
  cloneVm,
  createVdi,
  destroyVdi,
  hostFor,
  newXapiIds,
  setVmPower,
  type PowerState,
  snapshotVm,
} from '../lab-mutations'
import type { HandlerTable } from './table'

import { actionHandler, created, type ActionSpec, type Body } from './action-runner'
import { registerPoolActions } from './pool-actions'

const refOf = (record: XoRecord | undefined): string =>
  String(record?.['_xapiRef'] ?? record?.id ?? 'OpaqueRef:NULL')

/**
 * The XAPI call behind each VM power action (@xen-orchestra/rest-api 0.39.0,
 * dist/vms/vm.controller.mjs, through @xen-orchestra/xapi): all go through an XAPI task but a start
 * without a host, which is a plain `VM.start`.
 */
function vmXapiCall(action: string, vmRef: string, hostRef: string | undefined): XapiCall {
  if (action === 'start') {
    return hostRef === undefined
      ? { method: 'VM.start', params: [vmRef, false, false], async: false }
      : { method: 'VM.start_on', params: [vmRef, hostRef, false, false], async: true }
  }
  if (action === 'resume') return { method: 'VM.resume', params: [vmRef, false, true], async: true }
  return { method: `VM.${action}`, params: [vmRef], async: true }
}

/** A VM power action: allowed states, and the state it leaves the VM in. */
function vmPower(
  name: string,
  action: string,
  from: ('Running' | 'Halted' | 'Paused' | 'Suspended')[],
  to: 'Running' | 'Halted' | 'Paused' | 'Suspended',
): ActionSpec {
  return {
    name,
    syncStatus: 204,
    run: (ctx, body) => {
      const vm = ctx.sim.store.get('vms', target(ctx).id) as XoRecord
      const hostId = typeof body['hostId'] === 'string' ? body['hostId'] : undefined
      const hostRef = hostId === undefined ? undefined : refOf(ctx.sim.store.get('hosts', hostId))
      const via = vmXapiCall(action, refOf(vm), hostRef)
      const pool = ctx.sim.store.get('pools', String(vm['$pool']))
      const master = refOf(ctx.sim.store.get('hosts', String(pool?.['master'])))
      const started = ctx.sim.now()
      // XAPI failures carry the call they came from, as xen-api marks them.
      const traced = <T>(work: () => T): T => {
        try {
          return work()
        } catch (err) {
          throw fromXapiCall(err, via, { started, ended: ctx.sim.now(), host: master })
        }
      }
      traced(() => {
        assertPowerState(vm, from)
        if (to === 'Running' && vm['power_state'] === 'Halted') hostFor(ctx.sim, vm, hostId)
      })
      return () =>
        traced(() => {
          setVmPower(ctx.sim, vm.id, to, hostId)
          if (name.includes('reboot'))
            ctx.sim.store.update('vms', vm.id, { startTime: ctx.sim.nowSeconds() })
          return undefined
        })
    },
  }
}

/**
 * A host action that needs the host in one power state, and what it changes. `forget` and
 * `scan_pifs` check the state in XO itself (incorrect state, 409, host.controller); the others
 * leave it to XAPI, whose refusal is a 500 XAPI error.
 */
function hostAction(
  name: string,
  needs: 'Running' | 'Halted' | undefined,
  changes: (host: XoRecord) => Record<string, unknown> | 'forget',
  checkedByXo = false,
): ActionSpec {
  return {
    name,
    syncStatus: 204,
    run: (ctx) => {
      const host = ctx.sim.store.get('hosts', target(ctx).id) as XoRecord
      if (needs && host['power_state'] !== needs) {
        if (checkedByXo) {
          throw xoError.incorrectState({
            actual: host['power_state'],
            expected: needs,
            object: host.id,
            property: 'power_state',
          })
        }
        const ref = String(host['_xapiRef'] ?? host.id)
        throw needs === 'Running'
          ? new XapiError('HOST_OFFLINE', [ref])
          : new XapiError('OPERATION_NOT_ALLOWED', [`host ${ref} is already running`])
      }
      return () => {
        const change = changes(host)
        if (change === 'forget') ctx.sim.store.remove('hosts', host.id)
        else ctx.sim.store.update('hosts', host.id, change)
        return undefined
      }
    },
  }
}

/**
 * `POST /hosts/{id}/actions/disable`: with `evacuate: true`, its running VMs move to the other
 * running hosts of its pool first (`clearHost`, @xen-orchestra/rest-api 0.39.0,
 * dist/hosts/host.controller.mjs); with nowhere to go, XAPI refuses and the host stays enabled.
 */
function disableHost(): ActionSpec {
  return {
    name: 'disable host',
    syncStatus: 204,
    run: (ctx, body) => {
      const host = ctx.sim.store.get('hosts', target(ctx).id) as XoRecord
      if (body['evacuate'] !== true) {
        return () => {
          ctx.sim.store.update('hosts', host.id, { enabled: false })
          return undefined
        }
      }
      const resident = [...ctx.sim.store.list('vms')].filter(
        (vm) => vm['$container'] === host.id && vm['power_state'] !== 'Halted',
      )
      const others = [...ctx.sim.store.list('hosts')].filter(
        (h) =>
          h.id !== host.id &&
          h['$pool'] === host['$pool'] &&
          h['power_state'] === 'Running' &&
          h['enabled'] !== false,
      )
      if (resident.length > 0 && others.length === 0)
        throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(host['_xapiRef'] ?? host.id)])
      return () => {
        ctx.sim.store.update('hosts', host.id, { enabled: false })
        resident.forEach((vm, i) => {
          const to = others[i % others.length] as XoRecord
          setVmPower(ctx.sim, vm.id, vm['power_state'] as PowerState, to.id)
        })
        return undefined
      }
    },
  }
}

function simple(
  name: string,
  collection: CollectionName,
  changes: (r: XoRecord, body: Body) => Record<string, unknown>,
): ActionSpec {
  return {
    name,
    syncStatus: 204,
    run: (ctx, body) => () => {
      ctx.sim.store.update(collection, target(ctx).id, changes(target(ctx), body))
      return undefined
    },
  }
}

export function registerActions(table: HandlerTable): void {
  const on = (path: string, spec: ActionSpec, factor = 1): void =>
    table.on('POST', path, actionHandler(spec, factor))

  // VMs (`POST /vms/{id}/actions/…`): transitions enforced as XAPI does, failures as
  // VM_BAD_POWER_STATE on the task.
  on('/vms/{id}/actions/start', vmPower('start VM', 'start', ['Halted'], 'Running'))
  on(
    '/vms/{id}/actions/clean_shutdown',
    vmPower('clean shutdown VM', 'clean_shutdown', ['Running'], 'Halted'),
  )
  on(
    '/vms/{id}/actions/hard_shutdown',
    vmPower('hard shutdown VM', 'hard_shutdown', ['Running', 'Paused', 'Suspended'], 'Halted'),
  )
  on(
    '/vms/{id}/actions/clean_reboot',
    vmPower('clean reboot VM', 'clean_reboot', ['Running'], 'Running'),
  )
  on(
    '/vms/{id}/actions/hard_reboot',
    vmPower('hard reboot VM', 'hard_reboot', ['Running', 'Paused'], 'Running'),
  )
  on('/vms/{id}/actions/pause', vmPower('pause VM', 'pause', ['Running'], 'Paused'))
  on('/vms/{id}/actions/unpause', vmPower('unpause VM', 'unpause', ['Paused'], 'Running'))
  on('/vms/{id}/actions/suspend', vmPower('suspend VM', 'suspend', ['Running'], 'Suspended'))
  on('/vms/{id}/actions/resume', vmPower('resume VM', 'resume', ['Suspended'], 'Running'))
  on(
    '/vms/{id}/actions/snapshot',
    {
      name: 'snapshot VM',
      syncStatus: 201,
      run: (ctx, body) => () => ({
        id: snapshotVm(
          ctx.sim,
          target(ctx).id,
          typeof body['name_label'] === 'string' ? body['name_label'] : undefined,
        ).id,
      }),
      location: created('vm-snapshots'),
    },
    2,
  )
  on(
    '/vms/{id}/actions/clone',
    {
      name: 'clone VM',
      syncStatus: 201,
      // The SR is fetched inside the action, so an unknown one fails the task
      // (@xen-orchestra/rest-api 0.39.0, dist/vms/vm.controller.mjs).
      run: (ctx, body) => () => {
        if (typeof body['srId'] === 'string' && !ctx.sim.store.get('srs', body['srId']))
          throw xoError.noSuchObject(body['srId'], 'SR')
        const vm = target(ctx)
        const name =
          typeof body['name_label'] === 'string'
            ? body['name_label']
            : `${String(vm['name_label'])} (clone)`
        const srId = typeof body['srId'] === 'string' ? body['srId'] : undefined
        return { id: cloneVm(ctx.sim, vm, { nameLabel: name, ...(srId ? { srId } : {}) }).id }
      },
      location: created('vms'),
    },
    2,
  )
  on('/vms/{id}/actions/revert_snapshot', {
    name: 'revert VM to snapshot',
    syncStatus: 204,
    // Checked inside the action: a snapshot that is not one of the VM's fails the task
    // (@xen-orchestra/rest-api 0.39.0, dist/vms/vm.controller.mjs).
    run: (ctx, body) => {
      const vm = target(ctx)
      const snapshots = (vm['snapshots'] as string[] | undefined) ?? []
      if (!snapshots.includes(String(body['snapshotId']))) {
        throw xoError.invalidParameters(
          `snapshot ${String(body['snapshotId'])} does not belong to VM ${vm.id}`,
        )
      }
      return () => {
        if (body['snapshotBefore'] === true) snapshotVm(ctx.sim, vm.id)
        if (ctx.sim.store.get('vms', vm.id)?.['power_state'] !== 'Halted')
          setVmPower(ctx.sim, vm.id, 'Halted')
        return undefined
      }
    },
  })
  on(
    '/vms/{id}/actions/migrate',
    {
      name: 'migrate VM',
      syncStatus: 204,
      // The acl has fetched `hostId` already (http/acl-lookups.ts).
      run: (ctx, body) => {
        const vm = ctx.sim.store.get('vms', target(ctx).id) as XoRecord
        const host = ctx.sim.store.get('hosts', String(body['hostId'])) as XoRecord
        return () => {
          const poolId = host['$pool'] as string
          if (poolId !== vm['$pool'])
            ctx.sim.store.update('vms', vm.id, { $pool: poolId, $poolId: poolId })
          if (vm['power_state'] === 'Halted')
            ctx.sim.store.update('vms', vm.id, { $container: poolId })
          else setVmPower(ctx.sim, vm.id, vm['power_state'] as 'Running', host.id)
          return undefined
        }
      },
    },
    3,
  )

  // Hosts (host.controller): state checks are XO's incorrect state (409).
  on(
    '/hosts/{id}/actions/start',
    hostAction('start host', 'Halted', () => ({
      power_state: 'Running',
      startTime: Math.floor(Date.now() / 1000),
    })),
  )
  on(
    '/hosts/{id}/actions/clean_shutdown',
    hostAction('shutdown host', 'Running', () => ({ power_state: 'Halted', residentVms: [] })),
  )
  on(
    '/hosts/{id}/actions/emergency_shutdown',
    hostAction('emergency shutdown host', 'Running', () => ({
      power_state: 'Halted',
      residentVms: [],
    })),
  )
  on(
    '/hosts/{id}/actions/clean_reboot',
    hostAction('reboot host', 'Running', () => ({ rebootRequired: false })),
    2,
  )
  on(
    '/hosts/{id}/actions/smart_reboot',
    hostAction('smart reboot host', 'Running', () => ({ rebootRequired: false })),
    2,
  )
  on(
    '/hosts/{id}/actions/restart_toolstack',
    hostAction('restart toolstack', 'Running', () => ({
      agentStartTime: Math.floor(Date.now() / 1000),
    })),
  )
  on('/hosts/{id}/actions/disable', disableHost(), 2)
  on(
    '/hosts/{id}/actions/enable',
    hostAction('enable host', undefined, () => ({ enabled: true })),
  )
  on(
    '/hosts/{id}/actions/detach',
    hostAction('detach host', undefined, () => 'forget'),
  )
  on(
    '/hosts/{id}/actions/forget',
    hostAction('forget host', 'Halted', () => 'forget', true),
  )
  on(
    '/hosts/{id}/actions/scan_pifs',
    hostAction('scan PIFs', 'Running', () => ({}), true),
  )
  on('/hosts/{id}/actions/management_reconfigure', {
    name: 'host management reconfigure',
    syncStatus: 204,
    // The acl has fetched `pif` already (http/acl-lookups.ts).
    run: (ctx, body) => () => {
      for (const pif of [...ctx.sim.store.list('pifs')].filter(
        (p) => p['$host'] === target(ctx).id,
      )) {
        ctx.sim.store.update('pifs', pif.id, { management: pif.id === body['pif'] })
      }
      return undefined
    },
  })

  // Pools.
  on(
    '/pools/{id}/actions/create_vm',
    {
      name: 'create VM',
      syncStatus: 201,
      precheck: (ctx, body) => {
        if (!ctx.sim.store.get('vm-templates', String(body['template'])))
          throw xoError.noSuchObject(String(body['template']), 'VM-template')
      },
      run: (ctx, body) => () => {
        const template = ctx.sim.store.get('vm-templates', String(body['template'])) as XoRecord
        const vm = cloneVm(ctx.sim, template, {
          nameLabel: String(body['name_label']),
          poolId: target(ctx).id,
          extra: {
            name_description:
              typeof body['name_description'] === 'string' ? body['name_description'] : '',
            ...(body['autoPoweron'] === true ? { auto_poweron: true } : {}),
            ...(typeof body['cpus'] === 'number'
              ? { CPUs: { max: body['cpus'], number: body['cpus'] } }
              : {}),
            creation: {
              date: new Date(ctx.sim.now()).toISOString(),
              template: template.id,
              user: ctx.caller.userId,
            },
          },
        })
        if (body['boot'] === true) setVmPower(ctx.sim, vm.id, 'Running')
        return { id: vm.id }
      },
      location: created('vms'),
    },
    2,
  )
  registerPoolActions(on)

  // Storage and devices.
  on(
    '/srs/{id}/actions/scan',
    simple('scan SR', 'srs', () => ({})),
  )
  on(
    '/srs/{id}/actions/reclaim_space',
    simple('reclaim SR space', 'srs', (sr) => ({
      physical_usage: Math.floor(Number(sr['physical_usage'] ?? 0) * 0.95),
    })),
  )
  on('/srs/{id}/actions/forget', {
    name: 'forget SR',
    syncStatus: 204,
    run: (ctx) => () => {
      ctx.sim.store.remove('srs', target(ctx).id)
      return undefined
    },
  })
  on(
    '/vdis/{id}/actions/migrate',
    {
      name: 'migrate VDI',
      syncStatus: 200,
      // The acl has fetched `srId` already (http/acl-lookups.ts).
      // The migrated VDI gets a new id (with `?sync=true` XO answers 200 `{id}`:
      // @xen-orchestra/rest-api 0.39.0, dist/vdis/vdi.controller.mjs).
      run: (ctx, body) => () => {
        const vdi = target(ctx)
        const copy = createVdi(ctx.sim, String(body['srId']), {
          name_label: String(vdi['name_label']),
          name_description: String(vdi['name_description'] ?? ''),
          size: Number(vdi['size']),
        })
        ctx.sim.store.update('vdis', copy.id, { $VBDs: vdi['$VBDs'] ?? [] })
        for (const vbdId of (vdi['$VBDs'] as string[] | undefined) ?? []) {
          if (ctx.sim.store.get('vbds', vbdId))
            ctx.sim.store.update('vbds', vbdId, { VDI: copy.id })
        }
        ctx.sim.store.update('vdis', vdi.id, { $VBDs: [] })
        destroyVdi(ctx.sim, 'vdis', vdi.id)
        return { id: copy.id }
      },
    },
    3,
  )
  on(
    '/vbds/{id}/actions/connect',
    simple('connect VBD', 'vbds', () => ({ attached: true })),
  )
  on(
    '/vbds/{id}/actions/disconnect',
    simple('disconnect VBD', 'vbds', () => ({ attached: false })),
  )
  on(
    '/vifs/{id}/actions/connect',
    simple('connect VIF', 'vifs', () => ({ attached: true })),
  )
  on(
    '/vifs/{id}/actions/disconnect',
    simple('disconnect VIF', 'vifs', () => ({ attached: false })),
  )
  on(
    '/pbds/{id}/actions/plug',
    simple('plug PBD', 'pbds', () => ({ attached: true })),
  )
  on(
    '/pbds/{id}/actions/unplug',
    simple('unplug PBD', 'pbds', () => ({ attached: false })),
  )

  // XO-side objects.
  on(
    '/servers/{id}/actions/connect',
    simple('connect server', 'servers', () => ({ status: 'connected' })),
  )
  on(
    '/servers/{id}/actions/disconnect',
    simple('disconnect server', 'servers', () => ({ status: 'disconnected' })),
  )
  on('/schedules/{id}/actions/run', {
    name: 'run schedule',
    syncStatus: 204,
    run: (ctx) => () => {
      const schedule = target(ctx)
      const job = ctx.sim.store.get('backup-jobs', String(schedule['jobId']))
      const start = ctx.sim.now()
      ctx.sim.store.insert('backup-logs', {
        id: String(start),
        jobId: schedule['jobId'],
        jobName: job?.['name'] ?? '',
        scheduleId: schedule.id,
        message: 'backup',
        start,
        end: start + ctx.sim.actionDelayMs,
        status: 'success',
        data: { mode: job?.['mode'] ?? 'full', reportWhen: 'failure' },
        tasks: [],
      })
      return undefined
    },
  })
  on('/tasks/{id}/actions/abort', {
    name: 'abort task',
    syncStatus: 204,
    run: (ctx) => {
      const id = target(ctx).id
      if (!ctx.sim.tasks.requestAbort(id)) throw xoError.noSuchObject(id, 'task')
      return () => undefined
    },
  })
  on(
    '/backup-repositories/{id}/actions/benchmark',
    {
      name: 'benchmark backup repository',
      syncStatus: 200,
      run: () => () => ({
        success: true,
        readRate: 412_000_000,
        writeRate: 268_000_000,
        timestamp: Date.now(),
      }),
    },
    2,
  )
  on('/backup-repositories/{id}/actions/forget', {
    name: 'forget backup repository',
    syncStatus: 204,
    precheck: (ctx) => {
      const used = [...ctx.sim.store.list('backup-jobs')].some((job) =>
        JSON.stringify(job['remotes'] ?? {}).includes(target(ctx).id),
      )
      if (used)
        throw xoError.forbiddenOperation(
          'forget backup repository',
          'the backup repository is used by a backup job',
        )
    },
    run: (ctx) => () => {
      ctx.sim.store.remove('backup-repositories', target(ctx).id)
      return undefined
    },
  })
  on('/acl-roles/{id}/actions/copy', {
    name: 'copy ACL role',
    syncStatus: 201,
    run: (ctx, body) => () => {
      const role = target(ctx)
      const id = newXapiIds().id
      ctx.sim.store.insert('acl-roles', {
        ...role,
        id,
        name: typeof body['name'] === 'string' ? body['name'] : `${String(role['name'])} (copy)`,
        description:
          typeof body['description'] === 'string' ? body['description'] : role['description'],
        isTemplate: false,
        userIds: [],
        groupIds: [],
      })
      return { id }
    },
    location: created('acl-roles'),
  })
}
