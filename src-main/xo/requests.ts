import { AppFailure } from '../app-failure'
import type { RequestKind, RequestSpec } from './transport'
import type { Collection } from './types'

/** What each kind of call sends: paths built from checked segments, and the collection query. */

export interface ListOptions {
  /** Keys to return (property paths allowed); `['*']` for whole objects. Default `['id']`. */
  fields?: readonly string[]
  /** complex-matcher filter, applied by XO on the full objects (docs/xo-rest-api.md#filters). */
  filter?: string
  /** At most this many items (a whole number ≥ 0). */
  limit?: number
}

const bug = (message: string): AppFailure =>
  new AppFailure('invalid-input', message, 'Report this as a bug.')

function segment(what: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw bug(`"${value}" is not a valid ${what}.`)
  return value
}

const TOKEN = { kind: 'token' } as const

/**
 * `/<collection>/<id>`; any id is one encoded segment: backup archive ids contain `/`
 * (docs/xo-rest-api.md#what-objects-look-like).
 */
export function objectPath(collection: Collection, id: string): string {
  if (id === '') throw bug('The object id is empty.')
  return `/${segment('collection', collection, /^[a-z][a-z0-9-]*$/)}/${encodeURIComponent(id)}`
}

export function collectionPath(collection: Collection): string {
  return `/${segment('collection', collection, /^[a-z][a-z0-9-]*$/)}`
}

export function subCollectionPath(collection: Collection, id: string, sub: string): string {
  return `${objectPath(collection, id)}/${segment('sub-collection', sub, /^[a-z][a-z0-9_-]*$/)}`
}

export function actionPath(collection: Collection, id: string, action: string): string {
  return `${objectPath(collection, id)}/actions/${segment('action', action, /^[a-z][a-z0-9_]*$/)}`
}

/**
 * `PUT`/`DELETE …/tags/<tag>`: the tag is one encoded segment, `env=prod` → `env%3Dprod`
 * (docs/xo-rest-api.md#single-objects-patch-and-delete).
 */
export function tagSpec(
  method: 'PUT' | 'DELETE',
  collection: Collection,
  id: string,
  tag: string,
): RequestSpec {
  if (tag === '') throw new AppFailure('invalid-input', 'The tag is empty.', 'Type a tag.')
  const path = `${objectPath(collection, id)}/tags/${encodeURIComponent(tag)}`
  return { method, path, kind: 'write', credentials: TOKEN }
}

/**
 * A collection read. Always sends `fields` (whole objects only when asked with `['*']`) and asks
 * for NDJSON, so even a huge list is parsed line by line, never as one JSON text
 * (docs/xo-rest-api.md#ndjson).
 */
export function listSpec(path: string, opts: ListOptions, kind: RequestKind): RequestSpec {
  const fields = opts.fields && opts.fields.length > 0 ? opts.fields : ['id']
  if (fields.some((f) => f === '' || f.includes(',')))
    throw bug(`Invalid field list: ${fields.join(', ')}.`)
  const { limit } = opts
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    // XO's countdown quirk would return everything for -1 or 2.5 (@xen-orchestra/rest-api 0.39.0,
    // dist/abstract-classes/base-controller.mjs).
    throw new AppFailure('invalid-input', `Invalid limit ${limit}.`, 'Use a whole number ≥ 0.')
  }
  return {
    method: 'GET',
    path,
    query: {
      fields: fields.join(','),
      filter: opts.filter,
      limit: limit === undefined ? undefined : String(limit),
      ndjson: 'true', // `=true`: bare flags are a 422 (docs/xo-rest-api.md#collections-and-fields)
    },
    kind,
    credentials: TOKEN,
    mediaType: 'application/x-ndjson',
  }
}
