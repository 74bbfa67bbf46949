import { targetRecord, where, type RequestContext, type Reply } from '../http/context'
import { renderCollection } from '../http/collection-response'
import type { CollectionName, XoRecord } from '../lab/types'
import { COLLECTIONS } from '../lab/types'
import type { Simulation } from '../simulation'
import { hrefOf } from '../xo-types'
import type { HandlerTable } from './table'

/** The RBAC resource a collection's objects are read under (`vm`, `vdi-snapshot`, `backup-job`…). */
export function resourceOf(collection: CollectionName): string {
  const special: Partial<Record<CollectionName, string>> = {
    vms: 'vm',
    'vm-templates': 'vm-template',
    'vm-snapshots': 'vm-snapshot',
    'vm-controllers': 'vm-controller',
    'vdi-snapshots': 'vdi-snapshot',
    'acl-roles': 'acl-role',
    'acl-privileges': 'acl-privilege',
    'backup-repositories': 'backup-repository',
    proxies: 'proxy',
  }
  return special[collection] ?? collection.replace(/s$/, '')
}

/** Renders records of one canonical collection as a collection response, visible ones only. */
export function collectionReply(
  ctx: RequestContext,
  collection: CollectionName,
  records: Iterable<XoRecord>,
  /** The resource whose `read` privilege filters the list; `null`: no filter (one's own privileges). */
  resource: string | null = ctx.op.privilege?.resource ?? resourceOf(collection),
): Reply {
  const visible = resource === null ? () => true : ctx.sim.rbac.readable(ctx.caller, resource)
  function* only(): Generator<XoRecord> {
    for (const r of records) if (visible(r)) yield r
  }
  const rbacFiltered = ctx.caller.permission === 'admin' || resource === null ? records : only()
  return {
    status: 200,
    collection: renderCollection(rbacFiltered, ctx.query, (r) => hrefOf(collection, r.id)),
  }
}

/**
 * The VDIs (or VDI snapshots) a VM-like object reaches through its VBDs (`GET /vms/{id}/vdis`;
 * @xen-orchestra/rest-api 0.39.0, dist/vms/vm.service.mjs).
 */
export function vdisOf(
  sim: Simulation,
  vm: XoRecord,
): { collection: CollectionName; record: XoRecord }[] {
  const out: { collection: CollectionName; record: XoRecord }[] = []
  for (const vbdId of (vm['$VBDs'] as string[] | undefined) ?? []) {
    const vdiId = sim.store.get('vbds', vbdId)?.['VDI']
    if (typeof vdiId !== 'string') continue
    const vdi = sim.store.get('vdis', vdiId)
    const snap = vdi ? undefined : sim.store.get('vdi-snapshots', vdiId)
    if (vdi) out.push({ collection: 'vdis', record: vdi })
    else if (snap) out.push({ collection: 'vdi-snapshots', record: snap })
  }
  return out
}

/** A tiny value-matcher, the pattern language of backup jobs' `vms` (`{id: {__or: […]}}`). */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return pattern === value
  const p = pattern as Record<string, unknown>
  if (Array.isArray(p['__or'])) return p['__or'].some((x) => matchesPattern(x, value))
  if (Array.isArray(p['__and'])) return p['__and'].every((x) => matchesPattern(x, value))
  if ('__not' in p) return !matchesPattern(p['__not'], value)
  if (Array.isArray(value)) return value.some((v) => matchesPattern(pattern, v))
  if (value === null || typeof value !== 'object') return false
  return Object.entries(p).every(([k, v]) =>
    matchesPattern(v, (value as Record<string, unknown>)[k]),
  )
}

export function registerCollections(table: HandlerTable): void {
  for (const collection of COLLECTIONS) {
    // GET /<collection>: the whole collection, filtered by what the caller may read
    // (docs/xo-rest-api.md#collections-and-fields).
    table.onEvery('GET', new RegExp(`^/${collection}$`), (ctx) =>
      collectionReply(ctx, collection, ctx.sim.store.list(collection)),
    )
    // GET /<collection>/{id}: the object as is, no href; the pipeline already found it.
    table.onEvery('GET', new RegExp(`^/${collection}/\\{id\\}$`), (ctx) => ({
      status: 200,
      json: ctx.target?.record,
    }))
    // Tags: PUT adds, DELETE removes, both idempotent and 204
    // (docs/xo-rest-api.md#single-objects-patch-and-delete).
    table.onEvery('PUT', new RegExp(`^/${collection}/\\{id\\}/tags/\\{tag\\}$`), (ctx) => {
      const record = targetRecord(ctx)
      const tags = (record['tags'] as string[] | undefined) ?? []
      const tag = ctx.params['tag'] ?? ''
      if (!tags.includes(tag)) ctx.sim.store.update(collection, record.id, { tags: [...tags, tag] })
      return { status: 204 }
    })
    table.onEvery('DELETE', new RegExp(`^/${collection}/\\{id\\}/tags/\\{tag\\}$`), (ctx) => {
      const record = targetRecord(ctx)
      const tags = (record['tags'] as string[] | undefined) ?? []
      const tag = ctx.params['tag'] ?? ''
      if (tags.includes(tag))
        ctx.sim.store.update(collection, record.id, { tags: tags.filter((t) => t !== tag) })
      return { status: 204 }
    })
    // Sub-collections shared by every XAPI object type (`…/alarms`, `…/messages`, `…/tasks`),
    // pointing at canonical hrefs.
    table.onEvery('GET', new RegExp(`^/${collection}/\\{id\\}/alarms$`), (ctx) => {
      const id = ctx.params['id']
      return collectionReply(
        ctx,
        'alarms',
        where(
          ctx.sim.store.list('alarms'),
          (a) => (a['object'] as { uuid?: string } | undefined)?.uuid === id,
        ),
      )
    })
    table.onEvery('GET', new RegExp(`^/${collection}/\\{id\\}/messages$`), (ctx) => {
      const id = ctx.params['id']
      return collectionReply(
        ctx,
        'messages',
        where(ctx.sim.store.list('messages'), (m) => m['$object'] === id),
      )
    })
    table.onEvery('GET', new RegExp(`^/${collection}/\\{id\\}/tasks$`), (ctx) => {
      const id = ctx.params['id']
      return collectionReply(
        ctx,
        'tasks',
        where(ctx.sim.store.list('tasks'), (t) => {
          const p = t['properties'] as
            { objectId?: string; params?: { id?: string }; userId?: string } | undefined
          return (
            p?.objectId === id ||
            p?.params?.id === id ||
            (collection === 'users' && p?.userId === id)
          )
        }),
      )
    })
  }

  // VDIs of VM-like objects, through their VBDs.
  table.onEvery(
    'GET',
    /^\/(vms|vm-templates|vm-snapshots|vm-controllers)\/\{id\}\/vdis$/,
    (ctx) => {
      const vdis = vdisOf(ctx.sim, targetRecord(ctx))
      const collection = ctx.target?.collection === 'vm-snapshots' ? 'vdi-snapshots' : 'vdis'
      return collectionReply(
        ctx,
        collection,
        vdis.filter((v) => v.collection === collection).map((v) => v.record),
      )
    },
  )

  // Backup jobs whose VM pattern selects this VM.
  table.on('GET', '/vms/{id}/backup-jobs', (ctx) => {
    const vm = targetRecord(ctx)
    return collectionReply(
      ctx,
      'backup-jobs',
      where(
        ctx.sim.store.list('backup-jobs'),
        (job) => job['type'] === 'backup' && matchesPattern(job['vms'], vm),
      ),
    )
  })
}
