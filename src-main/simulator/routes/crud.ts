import { randomUUID } from 'node:crypto'
import { targetRecord as target, type Handler, type RequestContext } from '../http/context'
import { xoError } from '../http/xo-errors'
import type { CollectionName, XoRecord } from '../lab/types'
import { createVdi, destroyVdi, destroyVm, newXapiIds, setVmPower } from '../lab-mutations'
import type { Simulation } from '../simulation'
import { hrefOf, TYPE_OF_COLLECTION } from '../xo-types'
import type { HandlerTable } from './table'

type Body = Record<string, unknown>

/** A new record shaped like the lab's existing ones (so it satisfies XO's schema), with overrides. */
export function fromModel(
  sim: Simulation,
  collection: CollectionName,
  overrides: Record<string, unknown>,
): XoRecord {
  const model = sim.store.list(collection).next().value as XoRecord | undefined
  const record = { ...(model ?? {}), ...overrides } as XoRecord
  return sim.store.insert(collection, record)
}

function createdReply(collection: CollectionName, id: string) {
  return { status: 201, json: { id }, headers: { Location: hrefOf(collection, id) } }
}

/** XO sizes accept numbers or strings like "4 GiB" (`PATCH /vms/{id}`). */
function parseBytes(value: unknown): number {
  if (typeof value === 'number') return value
  const m = /^\s*([\d.]+)\s*([KMGT]i?B?|B)?\s*$/i.exec(String(value))
  if (!m?.[1]) throw xoError.invalidParameters(`invalid size: ${String(value)}`)
  const unit = (m[2] ?? 'B').toUpperCase().replace(/B$/, '')
  const power = { '': 0, K: 1, KI: 1, M: 2, MI: 2, G: 3, GI: 3, T: 4, TI: 4 }[unit] ?? 0
  const base = unit.endsWith('I') || unit === '' ? 1024 : 1000
  return Math.round(Number(m[1]) * base ** power)
}

/**
 * `PATCH /vms/{id}` speaks camelCase while the VM object is mostly snake_case
 * (docs/xo-rest-api.md#single-objects-patch-and-delete).
 */
function vmChanges(vm: XoRecord, body: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const cpus = { ...(vm['CPUs'] as { max: number; number: number }) }
  const memory = { ...(vm['memory'] as { size: number; static: number[]; dynamic: number[] }) }
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'nameLabel':
        out['name_label'] = value
        break
      case 'nameDescription':
        out['name_description'] = value
        break
      case 'autoPoweron':
        out['auto_poweron'] = value
        break
      case 'highAvailability':
        out['high_availability'] = value
        break
      case 'cpus':
        cpus.number = Number(value)
        cpus.max = Math.max(cpus.max, cpus.number)
        out['CPUs'] = cpus
        break
      case 'cpusStaticMax':
        cpus.max = Number(value)
        out['CPUs'] = cpus
        break
      case 'memory':
      case 'memoryMax':
        memory.size = parseBytes(value)
        memory.dynamic = [memory.dynamic[0] ?? memory.size, memory.size]
        memory.static = [memory.static[0] ?? 0, Math.max(memory.static[1] ?? 0, memory.size)]
        out['memory'] = memory
        break
      case 'memoryMin':
        memory.dynamic = [parseBytes(value), memory.dynamic[1] ?? memory.size]
        out['memory'] = memory
        break
      case 'memoryStaticMax':
        memory.static = [memory.static[0] ?? 0, parseBytes(value)]
        out['memory'] = memory
        break
      case 'nestedVirt':
        out['isNestedVirtEnabled'] = value
        break
      case 'xenStoreData':
        out['xenStoreData'] = Object.fromEntries(
          Object.entries(value as Body).map(([k, v]) => [`vm-data/${k}`, v]),
        )
        break
      default:
        out[key] = value
    }
  }
  return out
}

function patch(
  collection: CollectionName,
  map: (record: XoRecord, body: Body, ctx: RequestContext) => Record<string, unknown>,
): Handler {
  return (ctx) => {
    const record = target(ctx)
    const changes = map(record, (ctx.body ?? {}) as Body, ctx)
    // An empty body makes XO call nothing, so nothing changes and no event goes out.
    if (Object.keys(changes).length > 0) ctx.sim.store.update(collection, record.id, changes)
    return { status: 204 }
  }
}

function remove(
  collection: CollectionName,
  before?: (record: XoRecord, ctx: RequestContext) => void,
): Handler {
  return (ctx) => {
    const record = target(ctx)
    before?.(record, ctx)
    ctx.sim.store.remove(collection, record.id)
    return { status: 204 }
  }
}

function requireRecord(sim: Simulation, collection: CollectionName, id: unknown): XoRecord {
  const record = sim.store.get(collection, String(id))
  if (!record) throw xoError.noSuchObject(String(id), TYPE_OF_COLLECTION[collection])
  return record
}

export function registerCrud(table: HandlerTable): void {
  // PATCH (partial updates, 204 with no body).
  table.on('PATCH', '/vms/{id}', patch('vms', vmChanges))
  table.on(
    'PATCH',
    '/vdis/{id}',
    patch('vdis', (vdi, body) => {
      if (body['size'] !== undefined && Number(body['size']) < Number(vdi['size'])) {
        throw xoError.invalidParameters(
          `cannot set new size (${String(body['size'])}) below the current size (${String(vdi['size'])})`,
        )
      }
      return body
    }),
  )
  table.on(
    'PATCH',
    '/vifs/{id}',
    patch('vifs', (_vif, body) => body),
  )
  table.on(
    'PATCH',
    '/users/{id}',
    patch('users', (user, body, ctx) => {
      if (body['permission'] !== undefined && user.id === ctx.caller.userId) {
        throw xoError.forbiddenOperation('update permission', 'cannot change your own permission')
      }
      const { password, ...rest } = body
      const account = ctx.sim.auth.accountByUserId(user.id)
      if (typeof password === 'string' && account) account.password = password
      if (typeof rest['name'] === 'string' && account) account.name = rest['name']
      return rest
    }),
  )
  table.on(
    'PATCH',
    '/groups/{id}',
    patch('groups', (_g, body) => body),
  )
  table.on(
    'PATCH',
    '/acl-roles/{id}',
    patch('acl-roles', (_r, body) => body),
  )
  table.on(
    'PATCH',
    '/acl-privileges/{id}',
    patch('acl-privileges', (_p, body) => body),
  )
  table.on(
    'PATCH',
    '/backup-repositories/{id}',
    patch('backup-repositories', (_r, body) => body),
  )

  // DELETE (synchronous, 204; docs/xo-rest-api.md#single-objects-patch-and-delete).
  table.on('DELETE', '/vms/{id}', (ctx) => {
    const vm = target(ctx)
    const blocked = vm['blockedOperations'] as Record<string, unknown> | undefined
    if (blocked?.['destroy'] !== undefined) {
      throw xoError.forbiddenOperation(
        'destroy',
        'destroy is blocked: protected from accidental deletion',
      )
    }
    if (vm['power_state'] !== 'Halted') setVmPower(ctx.sim, vm.id, 'Halted')
    destroyVm(ctx.sim, 'vms', vm.id)
    return { status: 204 }
  })
  table.on('DELETE', '/vm-templates/{id}', (ctx) => {
    const template = target(ctx)
    if (template['isDefaultTemplate'] === true) {
      throw xoError.incorrectState({
        actual: true,
        expected: false,
        object: template.id,
        property: 'isDefaultTemplate',
      })
    }
    destroyVm(ctx.sim, 'vm-templates', template.id)
    return { status: 204 }
  })
  table.on('DELETE', '/vm-snapshots/{id}', (ctx) => {
    destroyVm(ctx.sim, 'vm-snapshots', target(ctx).id)
    return { status: 204 }
  })
  for (const collection of ['vdis', 'vdi-snapshots'] as const) {
    table.on('DELETE', `/${collection}/{id}`, (ctx) => {
      destroyVdi(ctx.sim, collection, target(ctx).id)
      return { status: 204 }
    })
  }
  table.on(
    'DELETE',
    '/vbds/{id}',
    remove('vbds', (vbd, ctx) => {
      const vm = ctx.sim.store.get('vms', String(vbd['VM']))
      if (vm)
        ctx.sim.store.update('vms', vm.id, {
          $VBDs: ((vm['$VBDs'] as string[]) ?? []).filter((id) => id !== vbd.id),
        })
    }),
  )
  table.on(
    'DELETE',
    '/vifs/{id}',
    remove('vifs', (vif, ctx) => {
      const vm = ctx.sim.store.get('vms', String(vif['$VM']))
      if (vm)
        ctx.sim.store.update('vms', vm.id, {
          VIFs: ((vm['VIFs'] as string[]) ?? []).filter((id) => id !== vif.id),
        })
    }),
  )
  for (const collection of [
    'networks',
    'srs',
    'servers',
    'groups',
    'acl-roles',
    'acl-privileges',
  ] as const) {
    table.on('DELETE', `/${collection}/{id}`, remove(collection))
  }
  table.on(
    'DELETE',
    '/users/{id}',
    remove('users', (user, ctx) => {
      if (user.id === ctx.caller.userId)
        throw xoError.forbiddenOperation('delete user', 'cannot delete yourself')
    }),
  )

  // Creation routes (synchronous, 201 {id}; docs/xo-rest-api.md#single-objects-patch-and-delete).
  table.on('POST', '/vdis', (ctx) => {
    const body = ctx.body as Body
    requireRecord(ctx.sim, 'srs', body['srId'])
    const vdi = createVdi(ctx.sim, String(body['srId']), {
      name_label: typeof body['name_label'] === 'string' ? body['name_label'] : 'New disk',
      ...(typeof body['name_description'] === 'string'
        ? { name_description: body['name_description'] }
        : {}),
      size: Number(body['virtual_size']),
      usage: 0,
    })
    return createdReply('vdis', vdi.id)
  })
  table.on('POST', '/vbds', (ctx) => {
    const body = ctx.body as Body
    const vm = requireRecord(ctx.sim, 'vms', body['VM'])
    const vdi = requireRecord(ctx.sim, 'vdis', body['VDI'])
    const ids = newXapiIds()
    const position = ((vm['$VBDs'] as string[]) ?? []).length
    fromModel(ctx.sim, 'vbds', {
      ...ids,
      type: 'VBD',
      VM: vm.id,
      VDI: vdi.id,
      attached: false,
      bootable: body['bootable'] === true,
      is_cd_drive: false,
      read_only: body['mode'] === 'RO',
      device: null,
      position: String(body['userdevice'] ?? position),
      $pool: vm['$pool'],
      $poolId: vm['$pool'],
    })
    ctx.sim.store.update('vms', vm.id, { $VBDs: [...((vm['$VBDs'] as string[]) ?? []), ids.id] })
    ctx.sim.store.update('vdis', vdi.id, { $VBDs: [...((vdi['$VBDs'] as string[]) ?? []), ids.id] })
    return createdReply('vbds', ids.id)
  })
  table.on('POST', '/vifs', (ctx) => {
    const body = ctx.body as Body
    const vm = requireRecord(ctx.sim, 'vms', body['vmId'])
    const network = requireRecord(ctx.sim, 'networks', body['networkId'])
    const ids = newXapiIds()
    const mac =
      typeof body['MAC'] === 'string'
        ? body['MAC']
        : `da:${randomUUID().replace(/-/g, '').slice(0, 10).match(/../g)?.join(':') ?? '00:00:00:00:00'}`
    fromModel(ctx.sim, 'vifs', {
      ...ids,
      type: 'VIF',
      $VM: vm.id,
      $network: network.id,
      MAC: mac,
      attached: false,
      device: String(((vm['VIFs'] as string[]) ?? []).length),
      $pool: vm['$pool'],
      $poolId: vm['$pool'],
    })
    ctx.sim.store.update('vms', vm.id, { VIFs: [...((vm['VIFs'] as string[]) ?? []), ids.id] })
    ctx.sim.store.update('networks', network.id, {
      VIFs: [...((network['VIFs'] as string[]) ?? []), ids.id],
    })
    return createdReply('vifs', ids.id)
  })
  table.on('POST', '/srs', (ctx) => {
    const body = ctx.body as Body
    const host = requireRecord(ctx.sim, 'hosts', body['hostId'])
    const ids = newXapiIds()
    const shared = ['nfs', 'lvmoiscsi', 'iso', 'smb', 'cifs'].includes(String(body['SR_type']))
    fromModel(ctx.sim, 'srs', {
      ...ids,
      type: 'SR',
      name_label: String(body['name_label'] ?? 'New SR'),
      name_description: String(body['name_description'] ?? ''),
      SR_type: body['SR_type'],
      shared,
      size: 1024 ** 4,
      physical_usage: 0,
      usage: 0,
      VDIs: [],
      $PBDs: [],
      tags: [],
      $container: shared ? host['$pool'] : host.id,
      $pool: host['$pool'],
      $poolId: host['$pool'],
    })
    return createdReply('srs', ids.id)
  })
  table.on('POST', '/servers', (ctx) => {
    const body = ctx.body as Body
    const id = randomUUID()
    const { password: _password, ...visible } = body
    fromModel(ctx.sim, 'servers', {
      ...visible,
      id,
      status: 'disconnected',
      enabled: true,
      error: undefined,
    })
    return createdReply('servers', id)
  })
  table.on('POST', '/users', (ctx) => {
    const body = ctx.body as { name: string; password: string; permission?: 'admin' | 'none' }
    if ([...ctx.sim.store.list('users')].some((u) => u['name'] === body.name)) {
      throw xoError.objectAlreadyExists(body.name, 'user')
    }
    const id = randomUUID()
    fromModel(ctx.sim, 'users', {
      id,
      name: body.name,
      email: body.name,
      permission: body.permission ?? 'none',
      groups: [],
      preferences: {},
      pw_hash: '***obfuscated***',
      authProviders: undefined,
    })
    ctx.sim.auth.addAccount({
      userId: id,
      name: body.name,
      password: body.password,
      permission: body.permission ?? 'none',
    })
    return createdReply('users', id)
  })
  table.on('POST', '/groups', (ctx) => {
    const id = randomUUID()
    fromModel(ctx.sim, 'groups', { id, name: (ctx.body as Body)['name'], users: [] })
    return createdReply('groups', id)
  })
  table.on('POST', '/acl-roles', (ctx) => {
    const body = ctx.body as Body
    const id = randomUUID()
    fromModel(ctx.sim, 'acl-roles', {
      id,
      name: body['name'],
      description: body['description'] ?? '',
      isTemplate: false,
      userIds: [],
      groupIds: [],
      privilegeIds: [],
    })
    return createdReply('acl-roles', id)
  })
  table.on('POST', '/acl-privileges', (ctx) => {
    const body = ctx.body as Body
    const role = requireRecord(ctx.sim, 'acl-roles', body['roleId'])
    const id = randomUUID()
    ctx.sim.store.insert('acl-privileges', { ...body, id })
    ctx.sim.store.update('acl-roles', role.id, {
      privilegeIds: [...((role['privilegeIds'] as string[]) ?? []), id],
    })
    return createdReply('acl-privileges', id)
  })
  table.on('POST', '/backup-repositories', (ctx) => {
    const body = ctx.body as Body
    const id = randomUUID()
    // Credentials in the URL are never shown back (as in @xen-orchestra/rest-api 0.39.0,
    // dist/open-api/oa-examples/backup-repository.oa-example.mjs).
    const url = String(body['url'] ?? '').replace(
      /\/\/([^:@/]+):([^@/]+)@/,
      '//$1:***obfuscated***@',
    )
    fromModel(ctx.sim, 'backup-repositories', {
      ...body,
      id,
      url,
      enabled: body['enabled'] ?? true,
    })
    return createdReply('backup-repositories', id)
  })

  // Membership routes of RBAC v2: PUT adds, DELETE removes, both 204.
  const membership =
    (
      collection: 'acl-roles' | 'groups',
      key: string,
      param: string,
      other: CollectionName,
      add: boolean,
    ): Handler =>
    (ctx) => {
      const record = target(ctx)
      const otherId = requireRecord(ctx.sim, other, ctx.params[param]).id
      const current = (record[key] as string[] | undefined) ?? []
      const next = add
        ? [...new Set([...current, otherId])]
        : current.filter((id) => id !== otherId)
      ctx.sim.store.update(collection, record.id, { [key]: next })
      if (collection === 'groups') {
        const user = ctx.sim.store.get('users', otherId) as XoRecord
        const groups = (user['groups'] as string[] | undefined) ?? []
        ctx.sim.store.update('users', otherId, {
          groups: add
            ? [...new Set([...groups, record.id])]
            : groups.filter((g) => g !== record.id),
        })
      }
      return { status: 204 }
    }
  table.on(
    'PUT',
    '/acl-roles/{id}/users/{userId}',
    membership('acl-roles', 'userIds', 'userId', 'users', true),
  )
  table.on(
    'DELETE',
    '/acl-roles/{id}/users/{userId}',
    membership('acl-roles', 'userIds', 'userId', 'users', false),
  )
  table.on(
    'PUT',
    '/acl-roles/{id}/groups/{groupId}',
    membership('acl-roles', 'groupIds', 'groupId', 'groups', true),
  )
  table.on(
    'DELETE',
    '/acl-roles/{id}/groups/{groupId}',
    membership('acl-roles', 'groupIds', 'groupId', 'groups', false),
  )
  table.on(
    'PUT',
    '/groups/{id}/users/{userId}',
    membership('groups', 'users', 'userId', 'users', true),
  )
  table.on(
    'DELETE',
    '/groups/{id}/users/{userId}',
    membership('groups', 'users', 'userId', 'users', false),
  )
}
