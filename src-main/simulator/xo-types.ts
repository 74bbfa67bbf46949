import { COLLECTION_OF_XO_TYPE, XO_TYPE_OF_COLLECTION } from '../xo-model/xo-types'
import type { CollectionName } from './lab/types'

/**
 * XO's type name per collection: used in "no such <type> <id>" errors
 * (docs/xo-rest-api.md#single-objects-patch-and-delete) and by SSE subscriptions, whose
 * `collection` is an XO type (`POST /events/{id}/subscriptions`).
 */
export const TYPE_OF_COLLECTION: Record<CollectionName, string> = {
  ...XO_TYPE_OF_COLLECTION,
  servers: 'server',
  users: 'user',
  groups: 'group',
  'acl-roles': 'acl-role',
  'acl-privileges': 'acl-privilege',
  'backup-jobs': 'job', // xo-server's own "no such job"
  'backup-logs': 'backup-log',
  'backup-repositories': 'remote', // XO calls backup repositories remotes
  'backup-archives': 'backup-archive',
  'restore-logs': 'restore-log',
  schedules: 'schedule',
  proxies: 'proxy',
}

/** SSE subscription names (spec XoListenerType) and the collection each follows, if the lab has one. */
export const LISTENER_TYPES: Record<string, CollectionName | undefined> = {
  ...COLLECTION_OF_XO_TYPE,
  'VDI-unmanaged': undefined,
  vgpu: undefined,
  gpuGroup: undefined,
  vgpuType: undefined,
  VTPM: undefined,
}

/**
 * The canonical href of a record: `/rest/v0/<collection>/<id>`, the id as is
 * (@xen-orchestra/rest-api 0.39.0, dist/helpers/object-wrapper.helper.mjs).
 */
export function hrefOf(collection: CollectionName, id: string): string {
  return `/rest/v0/${collection}/${id}`
}
