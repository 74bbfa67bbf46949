/**
 * The objects XO looks up before tsoa validates the request and before any task exists. A route's
 * `acl([...])` middleware fetches each object its entries name, the path's `{id}` and ids in the
 * body alike, and an unknown one is the answer: 404 `no such <type> <id>`, or 422 when the id is
 * not a string (@xen-orchestra/rest-api 0.39.0, dist/middlewares/acl.middleware.mjs).
 */
import type { CollectionName } from '../lab/types'
import type { Simulation } from '../simulation'
import { TYPE_OF_COLLECTION } from '../xo-types'
import { xoError } from './xo-errors'

interface BodyLookup {
  /** The body property holding the id (`objectId: 'body.<field>'` in the acl entry). */
  field: string
  collection: CollectionName
  /** Looked up even when absent: the entry calls `getObject(req.body.<field>)` itself. */
  always?: true
}

/** Body ids each route's acl fetches, in its order (the controllers named below). */
const BODY_LOOKUPS: Record<string, BodyLookup[]> = {
  // dist/vms/vm.controller.mjs: `host allow-vm` and `host migrate-receive` on `body.hostId`.
  'POST /vms/{id}/actions/start': [{ field: 'hostId', collection: 'hosts' }],
  'POST /vms/{id}/actions/migrate': [{ field: 'hostId', collection: 'hosts' }],
  // dist/vdis/vdi.controller.mjs: `sr migrate-receive` and `sr import:vdi` on `body.srId`.
  'POST /vdis/{id}/actions/migrate': [{ field: 'srId', collection: 'srs' }],
  'POST /vdis': [{ field: 'srId', collection: 'srs' }],
  // dist/hosts/host.controller.mjs: `pif update:management` on `body.pif`.
  'POST /hosts/{id}/actions/management_reconfigure': [{ field: 'pif', collection: 'pifs' }],
  // dist/pools/pool.controller.mjs: `host join-pool` on `body.host`, `host allow-vm` on
  // `body.affinity`, and the network's PIFs, found with `getObject(req.body.network, 'network')`.
  'POST /pools/{id}/actions/add_host': [{ field: 'host', collection: 'hosts' }],
  'POST /pools/{id}/actions/create_vm': [{ field: 'affinity', collection: 'hosts' }],
  'POST /pools/{id}/actions/management_reconfigure': [
    { field: 'network', collection: 'networks', always: true },
  ],
}

/**
 * Routes whose controller never fetches the path's object: `POST /users/{id}/authentication_tokens`
 * only compares the id with the caller's (dist/users/user.controller.mjs), so anyone else's id is
 * its 403, never a 404.
 */
const WITHOUT_TARGET_LOOKUP = new Set(['POST /users/{id}/authentication_tokens'])

export function looksUpTarget(key: string): boolean {
  return !WITHOUT_TARGET_LOOKUP.has(key)
}

/** Fetches the body ids the route's acl names: throws the 404 or 422 XO answers for a bad one. */
export function lookUpBodyObjects(sim: Simulation, key: string, body: unknown): void {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  for (const { field, collection, always } of BODY_LOOKUPS[key] ?? []) {
    const id = record[field]
    if (always) {
      if (typeof id !== 'string' || !sim.store.get(collection, id))
        throw xoError.noSuchObject(id, TYPE_OF_COLLECTION[collection])
      continue
    }
    if (id === undefined) continue
    if (typeof id !== 'string') {
      const fields = { [`body.${field}`]: { message: 'invalid string value', value: id } }
      throw xoError.invalidFields(fields)
    }
    if (!sim.store.get(collection, id))
      throw xoError.noSuchObject(id, TYPE_OF_COLLECTION[collection])
  }
}
