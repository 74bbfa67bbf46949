/**
 * Checks a lab's reference graph (docs/xo-rest-api.md#what-objects-look-like): every link points
 * at an existing record of the right collection, and two-sided links agree on both ends. Returns
 * one line per problem, so the generator's tests and the simulator's mutation tests can assert an
 * empty list.
 */
import { COLLECTION_OF_XO_TYPE, XO_TYPE_OF_COLLECTION } from '../../xo-model/xo-types'
import type { CollectionName, XoRecord } from './types'

type Collections = Readonly<Record<CollectionName, readonly XoRecord[]>>

const VM_LIKE: CollectionName[] = ['vms', 'vm-templates', 'vm-snapshots', 'vm-controllers']
const DISKS: CollectionName[] = ['vdis', 'vdi-snapshots']
/** Collections of XAPI objects (tasks are XO's own log, not XAPI objects). */
const XAPI = (Object.keys(XO_TYPE_OF_COLLECTION) as CollectionName[]).filter((c) => c !== 'tasks')
/** XO type names (`type`, `objectType`, alarm `object.type`) → collection. */
const BY_TYPE: Record<string, CollectionName> = {
  ...COLLECTION_OF_XO_TYPE,
  schedule: 'schedules',
  user: 'users',
  group: 'groups',
  server: 'servers',
  'backup-job': 'backup-jobs',
  'backup-repository': 'backup-repositories',
  proxy: 'proxies',
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

/** Ids listed by a value-matcher pattern `{id: {__or: [...]}}` (backup job targets). */
function patternIds(pattern: unknown): string[] {
  const id = (pattern as { id?: unknown } | undefined)?.id
  if (typeof id === 'string') return [id]
  return strings((id as { __or?: unknown } | undefined)?.__or)
}

export function checkLabConsistency(collections: Collections): string[] {
  const problems: string[] = []
  const index = new Map<CollectionName, Map<string, XoRecord>>()
  for (const [name, records] of Object.entries(collections) as [
    CollectionName,
    readonly XoRecord[],
  ][]) {
    const byId = new Map<string, XoRecord>()
    for (const record of records) {
      if (byId.has(record.id)) problems.push(`${name}: duplicate id ${record.id}`)
      byId.set(record.id, record)
    }
    index.set(name, byId)
  }
  const uuids = new Map<string, XoRecord>()
  for (const name of XAPI)
    for (const record of collections[name]) uuids.set(record.uuid as string, record)
  const templateUuids = new Set(collections['vm-templates'].map((t) => t.uuid))

  const find = (targets: readonly CollectionName[], id: unknown): XoRecord | undefined => {
    if (typeof id !== 'string') return undefined
    for (const target of targets) {
      const record = index.get(target)?.get(id)
      if (record) return record
    }
    return undefined
  }
  /** The record `id` names, or a problem. */
  const ref = (
    where: string,
    id: unknown,
    targets: readonly CollectionName[],
  ): XoRecord | undefined => {
    const record = find(targets, id)
    if (!record) problems.push(`${where} → ${String(id)}: not in ${targets.join('|')}`)
    return record
  }
  const lists = new WeakMap<XoRecord, Map<string, Set<string>>>()
  const listed = (record: XoRecord, field: string): Set<string> => {
    let fields = lists.get(record)
    if (!fields) lists.set(record, (fields = new Map()))
    let set = fields.get(field)
    if (!set) fields.set(field, (set = new Set(strings(record[field]))))
    return set
  }
  /** `target[field]` must list `id` (the other side of a link). */
  const back = (where: string, target: XoRecord | undefined, field: string, id: string): void => {
    if (target && !listed(target, field).has(id))
      problems.push(`${where}: ${target.id}.${field} lacks ${id}`)
  }
  /** `target[field]` must equal `id`. */
  const points = (where: string, target: XoRecord | undefined, field: string, id: string): void => {
    if (target && target[field] !== id)
      problems.push(`${where}: ${target.id}.${field} is ${String(target[field])}, not ${id}`)
  }
  const each = (name: CollectionName, check: (record: XoRecord, where: string) => void): void => {
    for (const record of collections[name]) check(record, `${name}/${record.id}`)
  }

  for (const name of XAPI) {
    each(name, (r, at) => {
      if (r.$pool !== r.$poolId) problems.push(`${at}: $pool ≠ $poolId`)
      const pool = ref(`${at}.$pool`, r.$pool, ['pools'])
      if (name === 'pools' && pool !== r) problems.push(`${at}: a pool's $pool is itself`)
      const expected =
        r.isDefaultTemplate === true ? `${String(r.$pool)}-${String(r.uuid)}` : r.uuid
      if (r.id !== expected) problems.push(`${at}: id should be ${String(expected)}`)
    })
  }
  each('pools', (r, at) => {
    const master = ref(`${at}.master`, r.master, ['hosts'])
    if (master && master.$pool !== r.id) problems.push(`${at}: master is in another pool`)
    for (const field of ['default_SR', 'crashDumpSr', 'suspendSr']) {
      if (r[field] !== undefined) ref(`${at}.${field}`, r[field], ['srs'])
    }
    for (const id of strings(r.haSrs)) ref(`${at}.haSrs`, id, ['srs'])
  })
  each('hosts', (r, at) => {
    for (const id of strings(r.residentVms)) {
      const vm = ref(`${at}.residentVms`, id, ['vms', 'vm-controllers'])
      points(at, vm, '$container', r.id)
      if (vm?.power_state === 'Halted') problems.push(`${at}: resident ${id} is halted`)
    }
    const dom0 = ref(`${at}.controlDomain`, r.controlDomain, ['vm-controllers'])
    if (dom0) back(at, r, 'residentVms', dom0.id)
    const linked: [string, CollectionName, string][] = [
      ['PIFs', 'pifs', '$host'],
      ['$PIFs', 'pifs', '$host'],
      ['$PBDs', 'pbds', 'host'],
      ['PCIs', 'pcis', '$host'],
      ['$PCIs', 'pcis', '$host'],
      ['PGPUs', 'pgpus', '$host'],
      ['$PGPUs', 'pgpus', '$host'],
    ]
    for (const [field, target, backField] of linked) {
      for (const id of strings(r[field]))
        points(at, ref(`${at}.${field}`, id, [target]), backField, r.id)
    }
    const managements = strings(r.PIFs).filter((id) => find(['pifs'], id)?.management === true)
    if (managements.length !== 1) problems.push(`${at}: ${managements.length} management PIFs`)
  })
  for (const name of VM_LIKE) {
    each(name, (r, at) => {
      const container = ref(`${at}.$container`, r.$container, ['pools', 'hosts'])
      const onHost = container?.type === 'host'
      if (container && (onHost ? container.$pool : container.id) !== r.$pool)
        problems.push(`${at}: container in another pool`)
      if (name === 'vms' || name === 'vm-controllers') {
        if ((r.power_state === 'Halted') === onHost)
          problems.push(`${at}: ${String(r.power_state)} VM on ${String(container?.type)}`)
        if (onHost) back(at, container, 'residentVms', r.id)
      }
      if (name === 'vm-templates' && onHost) problems.push(`${at}: template on a host`)
      for (const id of strings(r.$VBDs)) points(at, ref(`${at}.$VBDs`, id, ['vbds']), 'VM', r.id)
      for (const id of strings(r.VIFs)) points(at, ref(`${at}.VIFs`, id, ['vifs']), '$VM', r.id)
      for (const id of strings(r.snapshots))
        points(at, ref(`${at}.snapshots`, id, ['vm-snapshots']), '$snapshot_of', r.id)
      if (r.parent !== undefined) ref(`${at}.parent`, r.parent, ['vm-snapshots'])
      if (r.affinityHost !== undefined) ref(`${at}.affinityHost`, r.affinityHost, ['hosts'])
      if (name === 'vm-snapshots')
        back(at, ref(`${at}.$snapshot_of`, r.$snapshot_of, ['vms']), 'snapshots', r.id)
      const creation = r.creation as { template?: string; user?: string } | undefined
      if (creation?.user !== undefined) ref(`${at}.creation.user`, creation.user, ['users'])
      if (creation?.template && !templateUuids.has(creation.template)) {
        problems.push(`${at}: creation.template is no template uuid`)
      }
    })
  }
  each('vbds', (r, at) => {
    back(at, ref(`${at}.VM`, r.VM, VM_LIKE), '$VBDs', r.id)
    if (r.VDI !== undefined) back(at, ref(`${at}.VDI`, r.VDI, DISKS), '$VBDs', r.id)
    else if (r.is_cd_drive !== true) problems.push(`${at}: a disk VBD without VDI`)
  })
  for (const name of DISKS) {
    each(name, (r, at) => {
      back(at, ref(`${at}.$SR`, r.$SR, ['srs']), 'VDIs', r.id)
      for (const id of strings(r.$VBDs)) points(at, ref(`${at}.$VBDs`, id, ['vbds']), 'VDI', r.id)
      for (const id of strings(r.snapshots))
        points(at, ref(`${at}.snapshots`, id, ['vdi-snapshots']), '$snapshot_of', r.id)
      if (name === 'vdi-snapshots')
        back(at, ref(`${at}.$snapshot_of`, r.$snapshot_of, ['vdis']), 'snapshots', r.id)
    })
  }
  each('srs', (r, at) => {
    for (const id of strings(r.VDIs)) points(at, ref(`${at}.VDIs`, id, DISKS), '$SR', r.id)
    const pbds = strings(r.$PBDs).map((id) => ref(`${at}.$PBDs`, id, ['pbds']))
    for (const pbd of pbds) points(at, pbd, 'SR', r.id)
    // Shared SRs belong to the pool, local ones to the host of their PBD (xo-server's
    // xapi-object-to-xo.mjs; docs/xo-rest-api.md#what-objects-look-like).
    const expected = r.shared === true ? r.$pool : pbds[0]?.host
    if (r.$container !== expected) problems.push(`${at}: $container should be ${String(expected)}`)
  })
  each('pbds', (r, at) => {
    back(at, ref(`${at}.host`, r.host, ['hosts']), '$PBDs', r.id)
    back(at, ref(`${at}.SR`, r.SR, ['srs']), '$PBDs', r.id)
  })
  each('networks', (r, at) => {
    for (const id of strings(r.PIFs)) points(at, ref(`${at}.PIFs`, id, ['pifs']), '$network', r.id)
    for (const id of strings(r.VIFs)) points(at, ref(`${at}.VIFs`, id, ['vifs']), '$network', r.id)
  })
  each('pifs', (r, at) => {
    back(at, ref(`${at}.$host`, r.$host, ['hosts']), 'PIFs', r.id)
    back(at, ref(`${at}.$network`, r.$network, ['networks']), 'PIFs', r.id)
  })
  each('vifs', (r, at) => {
    back(at, ref(`${at}.$VM`, r.$VM, VM_LIKE), 'VIFs', r.id)
    back(at, ref(`${at}.$network`, r.$network, ['networks']), 'VIFs', r.id)
  })
  each('pcis', (r, at) => back(at, ref(`${at}.$host`, r.$host, ['hosts']), 'PCIs', r.id))
  each('pgpus', (r, at) => {
    back(at, ref(`${at}.$host`, r.$host, ['hosts']), 'PGPUs', r.id)
    if (r.host !== r.$host) problems.push(`${at}: host ≠ $host`)
    ref(`${at}.pci`, r.pci, ['pcis'])
  })
  each('messages', (r, at) => {
    if (!uuids.has(r.$object as string))
      problems.push(`${at}.$object → ${String(r.$object)}: no such object`)
  })
  each('alarms', (r, at) => {
    const object = r.object as { type: string; uuid: string; href?: string }
    const target = BY_TYPE[object.type]
    const record = uuids.get(object.uuid)
    if (!target || !record || record.type !== object.type)
      problems.push(`${at}.object → ${object.type} ${object.uuid}: not found`)
    else if (object.href !== `/rest/v0/${target}/${object.uuid}`)
      problems.push(`${at}: wrong href ${String(object.href)}`)
  })
  each('tasks', (r, at) => {
    const properties = r.properties as { objectId?: string; objectType?: string; userId?: string }
    const target = properties.objectType ? BY_TYPE[properties.objectType] : undefined
    if (properties.objectId !== undefined)
      ref(`${at}.objectId`, properties.objectId, target ? [target] : XAPI)
    if (properties.userId !== undefined) ref(`${at}.userId`, properties.userId, ['users'])
  })
  each('servers', (r, at) => {
    const pool = ref(`${at}.poolId`, r.poolId, ['pools'])
    if (pool && r.master !== pool.master) problems.push(`${at}: master is not the pool's`)
  })
  each('users', (r, at) => {
    for (const id of strings(r.groups)) back(at, ref(`${at}.groups`, id, ['groups']), 'users', r.id)
  })
  each('groups', (r, at) => {
    for (const id of strings(r.users)) back(at, ref(`${at}.users`, id, ['users']), 'groups', r.id)
    for (const id of strings(r.aclRoleIds))
      back(at, ref(`${at}.aclRoleIds`, id, ['acl-roles']), 'groupIds', r.id)
  })
  each('acl-roles', (r, at) => {
    for (const id of strings(r.privilegeIds))
      points(at, ref(`${at}.privilegeIds`, id, ['acl-privileges']), 'roleId', r.id)
    for (const id of strings(r.userIds)) ref(`${at}.userIds`, id, ['users'])
    for (const id of strings(r.groupIds))
      back(at, ref(`${at}.groupIds`, id, ['groups']), 'aclRoleIds', r.id)
  })
  each('acl-privileges', (r, at) =>
    back(at, ref(`${at}.roleId`, r.roleId, ['acl-roles']), 'privilegeIds', r.id),
  )
  each('proxies', (r, at) => {
    if (r.vmUuid !== undefined && !uuids.has(r.vmUuid as string))
      problems.push(`${at}.vmUuid: no such VM`)
  })
  each('backup-repositories', (r, at) => {
    if (r.proxy !== undefined) ref(`${at}.proxy`, r.proxy, ['proxies'])
  })
  each('backup-jobs', (r, at) => {
    for (const id of patternIds(r.remotes)) ref(`${at}.remotes`, id, ['backup-repositories'])
    for (const id of patternIds(r.srs)) ref(`${at}.srs`, id, ['srs'])
    for (const id of patternIds(r.vms)) ref(`${at}.vms`, id, ['vms'])
    for (const id of patternIds(r.pools)) ref(`${at}.pools`, id, ['pools'])
    if (r.sourceRemote !== undefined)
      ref(`${at}.sourceRemote`, r.sourceRemote, ['backup-repositories'])
    if (r.proxy !== undefined) ref(`${at}.proxy`, r.proxy, ['proxies'])
    if (r.userId !== undefined) ref(`${at}.userId`, r.userId, ['users'])
    for (const key of Object.keys((r.settings as object | undefined) ?? {})) {
      if (key !== '') points(at, ref(`${at}.settings`, key, ['schedules']), 'jobId', r.id)
    }
  })
  each('schedules', (r, at) => {
    const job = ref(`${at}.jobId`, r.jobId, ['backup-jobs'])
    if (job && !(r.id in ((job.settings as object | undefined) ?? {})))
      problems.push(`${at}: job settings lack it`)
    if (r.userId !== undefined) ref(`${at}.userId`, r.userId, ['users'])
  })
  each('backup-logs', (r, at) => {
    ref(`${at}.jobId`, r.jobId, ['backup-jobs'])
    points(at, ref(`${at}.scheduleId`, r.scheduleId, ['schedules']), 'jobId', r.jobId as string)
    for (const task of (r.tasks as { data?: { type?: string; id?: string } }[] | undefined) ?? []) {
      if (task.data?.type === 'VM') ref(`${at}.tasks`, task.data.id, ['vms'])
    }
    for (const info of (r.infos as { data?: { vms?: unknown } }[] | undefined) ?? []) {
      for (const id of strings(info.data?.vms)) ref(`${at}.infos`, id, ['vms'])
    }
  })
  each('backup-archives', (r, at) => {
    ref(`${at}.backupRepository`, r.backupRepository, ['backup-repositories'])
    ref(`${at}.jobId`, r.jobId, ['backup-jobs'])
    ref(`${at}.scheduleId`, r.scheduleId, ['schedules'])
    if (!r.id.startsWith(`${String(r.backupRepository)}/`))
      problems.push(`${at}: id not under its repository`)
    if (!uuids.has((r.vm as { uuid: string }).uuid)) problems.push(`${at}.vm: no such VM`)
  })
  each('restore-logs', (r, at) => {
    const data = r.data as { backupId?: string; jobId?: string; srId?: string }
    ref(`${at}.backupId`, data.backupId, ['backup-archives'])
    ref(`${at}.jobId`, data.jobId, ['backup-jobs'])
    ref(`${at}.srId`, data.srId, ['srs'])
  })
  return problems
}
