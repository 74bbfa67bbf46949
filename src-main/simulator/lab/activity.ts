/**
 * What happened lately: XO's task log (finished REST actions and API calls,
 * docs/xo-rest-api.md#actions-and-tasks), XAPI messages (`VM_STARTED`…, time in seconds) and alarms
 * (parsed `ALARM` messages: @xen-orchestra/rest-api 0.39.0, dist/alarms/alarm.service.mjs).
 */
import { DAY_MS, DAY_S, HOUR_MS, type LabContext, type SrRecord } from './common'
import type { PoolModel } from './infrastructure'
import type { Random } from './random'
import type { XoRecord } from './types'
import type { GuestModel } from './vms'

export interface ActivityInputs {
  pools: readonly PoolModel[]
  guests: readonly GuestModel[]
  adminId: string
  operatorId: string
  schedules: readonly XoRecord[]
}

const STACK_TAIL =
  '\n    at Xapi._call (/opt/xo/xo-server/node_modules/xen-api/index.mjs:693:15)' +
  '\n    at Task.runInside (/opt/xo/xo-server/node_modules/@vates/task/index.js:175:41)'

/**
 * A failed XAPI call as the task log serializes it: own properties + message, name, stack
 * (docs/xo-rest-api.md#actions-and-tasks).
 */
function xapiError(code: string, params: string[]): Record<string, unknown> {
  const message = `${code}(${params.join(', ')})`
  return { code, params, message, name: 'XapiError', stack: `XapiError: ${message}${STACK_TAIL}` }
}

interface TaskSpec {
  name: string
  objectId: string
  objectType: string
  userId: string
  /** REST actions (`xo:rest-api:action`) or JSON-RPC calls (`api.call`). */
  method?: string
  params?: Record<string, unknown>
  args?: Record<string, unknown>
  result?: Record<string, unknown>
  failure?: Record<string, unknown>
}

function pickFrom<T>(random: Random, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : random.pick(items)
}

function buildTasks(ctx: LabContext, random: Random, inputs: ActivityInputs): void {
  const { guests, adminId, operatorId, pools, schedules } = inputs
  const specs: TaskSpec[] = []
  const action = (
    name: string,
    guest: GuestModel | undefined,
    extra: Partial<TaskSpec> = {},
  ): void => {
    if (!guest) return
    specs.push({
      name: `REST API: ${name}`,
      objectId: guest.record.id,
      objectType: 'VM',
      userId: adminId,
      ...extra,
    })
  }
  const count = Math.min(1000, Math.max(16, Math.round(guests.length / 6)))
  const running = guests.filter((g) => g.record.power_state === 'Running')
  const halted = guests.filter((g) => g.record.power_state === 'Halted')
  const snapshotted = guests.filter((g) => g.record.snapshots.length > 0)
  const withTools = running.filter((g) => g.tools)
  const staging = running.filter((g) => g.record.tags.includes('staging'))
  const onLocalDisks = running.filter((g) => g.disks.some((d) => !d.sr.shared))
  for (let i = 0; specs.length < count && i < count * 2; i++) {
    switch (i % 8) {
      case 0:
        action('start VM', pickFrom(random, running), { args: {} })
        break
      case 1:
        action('clean shutdown VM', pickFrom(random, halted))
        break
      case 2: {
        const guest = pickFrom(random, snapshotted)
        action('snapshot VM', guest, { result: { id: guest?.record.snapshots.at(-1) } })
        break
      }
      case 3:
        action('clean reboot VM', pickFrom(random, withTools))
        break
      case 4: {
        // The operator may only act on staging VMs (their RBAC role).
        const guest = pickFrom(random, staging)
        action('start VM', guest, { userId: operatorId, args: {} })
        break
      }
      case 5: {
        const guest = pickFrom(random, running)
        const host = pickFrom(random, guest?.pool.hosts.filter((h) => h !== guest.host) ?? [])
        if (guest && host) {
          specs.push({
            name: 'API call: vm.migrate',
            method: 'vm.migrate',
            params: { vm: guest.record.id, targetHost: host.record.id },
            objectId: guest.record.id,
            objectType: 'VM',
            userId: adminId,
          })
        }
        break
      }
      case 6: {
        const pool = random.pick(pools)
        specs.push({
          name: 'REST API: SR scan',
          objectId: pool.defaultSr.id,
          objectType: 'SR',
          userId: adminId,
        })
        break
      }
      case 7: {
        const scheduleRecord = schedules[0]
        if (scheduleRecord) {
          specs.push({
            name: 'REST API: run schedule',
            objectId: scheduleRecord.id,
            objectType: 'schedule',
            userId: adminId,
          })
        }
        break
      }
    }
  }
  // Failures, with XAPI's own errors: starting a running VM, no space left for a snapshot.
  const successes = specs.length
  const alreadyRunning = pickFrom(random, running)
  if (alreadyRunning) {
    action('start VM', alreadyRunning, {
      args: {},
      failure: xapiError('VM_BAD_POWER_STATE', [
        alreadyRunning.record._xapiRef as string,
        'halted',
        'running',
      ]),
    })
  }
  const stopped = pickFrom(random, halted)
  if (stopped) {
    action('hard shutdown VM', stopped, {
      failure: xapiError('VM_BAD_POWER_STATE', [
        stopped.record._xapiRef as string,
        'running',
        'halted',
      ]),
    })
  }
  action('snapshot VM', pickFrom(random, onLocalDisks), {
    failure: xapiError('SR_BACKEND_FAILURE_44', ['', 'There is insufficient space', '']),
  })
  for (const failure of specs.splice(successes))
    specs.splice(random.int(0, specs.length), 0, failure)

  // Spread over the last week, oldest first; ids are the start in base 36, as @vates/task makes them.
  let start = ctx.now - 7 * DAY_MS
  const step = Math.floor((7 * DAY_MS - HOUR_MS) / Math.max(1, specs.length))
  for (const spec of specs) {
    start += random.int(Math.floor(step / 2), step)
    const end = start + random.int(300, spec.name.includes('snapshot') ? 20_000 : 8_000)
    const properties: Record<string, unknown> = { name: spec.name }
    if (spec.method) {
      // JSON-RPC calls name their target in `params` only, like XO's `api.call` tasks.
      Object.assign(properties, {
        method: spec.method,
        params: spec.params,
        type: 'api.call',
        userId: spec.userId,
      })
    } else {
      Object.assign(properties, {
        objectId: spec.objectId,
        userId: spec.userId,
        type: 'xo:rest-api:action',
        objectType: spec.objectType,
      })
      if (spec.args) properties.args = spec.args
    }
    const task: XoRecord = {
      id: start.toString(36).padStart(9, '0'),
      properties,
      start,
      status: spec.failure ? 'failure' : 'success',
      updatedAt: end + 2,
      end,
    }
    const result = spec.failure ?? spec.result
    if (result) task.result = result
    ctx.collections.tasks.push(task)
  }
}

function buildMessages(ctx: LabContext, random: Random, inputs: ActivityInputs): void {
  const { guests, pools } = inputs
  const count = Math.min(2000, 20 + Math.round(guests.length * 0.25))
  const messages: { time: number; record: Omit<XoRecord, 'id'> }[] = []
  for (let i = 0; i < count && guests.length > 0; i++) {
    const guest = random.pick(guests)
    const vm = guest.record
    const time = ctx.nowSeconds - random.int(60, 30 * DAY_S)
    const described = `VM '${vm.name_label}' (uuid: ${vm.uuid as string})`
    const host = guest.host ?? random.pick(guest.pool.hosts)
    const [name, body] = random.weighted<[string, string]>([
      [
        [
          'VM_STARTED',
          `${described} started on host: ${host.record.name_label} (uuid: ${host.record.uuid as string})`,
        ],
        4,
      ],
      [['VM_SHUTDOWN', `${described} shut down`], 3],
      [['VM_REBOOTED', `${described} rebooted`], 2],
      [['VM_CLONED', `${described} cloned`], 1],
    ])
    messages.push({ time, record: { name, body, $object: vm.uuid, $pool: vm.$pool } })
  }
  for (const pool of pools) {
    const sr = pool.defaultSr
    const host = random.pick(pool.hosts)
    messages.push({
      time: ctx.nowSeconds - random.int(1, 20) * DAY_S,
      record: {
        name: 'PBD_PLUG_FAILED_ON_SERVER_START',
        body: `Failed to plug SR '${sr.name_label}' on host ${host.record.name_label} at boot; retried successfully`,
        $object: host.record.uuid,
        $pool: pool.record.id,
      },
    })
    if (pool.record.HA_enabled === true) {
      messages.push({
        time: ctx.nowSeconds - random.int(1, 10) * DAY_S,
        record: {
          name: 'HA_POOL_OVERCOMMITTED',
          body: 'The pool can no longer tolerate the failure of one host without losing protected VMs',
          $object: pool.record.uuid,
          $pool: pool.record.id,
        },
      })
    }
  }
  messages.sort((a, b) => a.time - b.time)
  for (const { time, record } of messages) {
    const uuid = random.uuid()
    ctx.collections.messages.push({
      body: record.body,
      name: record.name,
      time,
      $object: record.$object,
      id: uuid,
      type: 'message',
      uuid,
      $pool: record.$pool,
      $poolId: record.$pool,
      _xapiRef: random.opaqueRef(),
    })
  }
}

/** Alarms as the REST API parses them: value ×100 with one decimal, time in **ms** (alarm.service.mjs). */
function buildAlarms(ctx: LabContext, random: Random, inputs: ActivityInputs): void {
  const { guests, pools } = inputs
  const count = Math.min(500, 6 + Math.round(guests.length / 25))
  const running = guests.filter((g) => g.record.power_state === 'Running')
  for (let i = 0; i < count; i++) {
    const pool = random.pick(pools)
    const host = random.pick(pool.hosts)
    const sr: SrRecord = pool.defaultSr
    const kind = random.weighted<'VM' | 'host' | 'VM-controller' | 'SR'>([
      ['VM', running.length > 0 ? 5 : 0],
      ['host', 2],
      ['VM-controller', 2],
      ['SR', 1],
    ])
    const vm = kind === 'VM' ? pickFrom(random, running)?.record : undefined
    const object: XoRecord = vm ?? (kind === 'host' ? host.record : kind === 'SR' ? sr : host.dom0)
    const type = vm ? 'VM' : kind
    const metric =
      type === 'SR'
        ? 'physical_utilisation'
        : type === 'VM-controller'
          ? random.pick(['fs_usage', 'mem_usage', 'log_fs_usage'])
          : 'cpu_usage'
    const ratio = random.between(type === 'SR' ? 0.8 : 0.85, 0.99)
    const uuid = random.uuid()
    ctx.collections.alarms.push({
      name: 'ALARM',
      time: (ctx.nowSeconds - random.int(60, 14 * DAY_S)) * 1000,
      type: 'message',
      uuid,
      $pool: object.$pool,
      $poolId: object.$pool,
      _xapiRef: random.opaqueRef(),
      id: uuid,
      body: { value: (ratio * 100).toFixed(1), name: metric },
      object: {
        type,
        uuid: object.uuid,
        href: `/rest/v0/${type.toLowerCase()}s/${object.uuid as string}`,
      },
    })
  }
  ctx.collections.alarms.sort((a, b) => (a.time as number) - (b.time as number))
}

export function buildActivity(ctx: LabContext, inputs: ActivityInputs): void {
  buildTasks(ctx, ctx.random('tasks'), inputs)
  buildMessages(ctx, ctx.random('messages'), inputs)
  buildAlarms(ctx, ctx.random('alarms'), inputs)
}
