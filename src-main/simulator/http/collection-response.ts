import * as CM from 'complex-matcher'
import type { XoRecord } from '../lab/types'
import { xoError } from './xo-errors'

/**
 * The query options every collection takes (docs/xo-rest-api.md#collections-and-fields): already
 * validated as tsoa would.
 */
export interface CollectionQuery {
  fields?: string
  filter?: string
  limit?: string
  ndjson?: string
  markdown?: string
}

/** A collection answer: one JSON body, or lines streamed as NDJSON, or a markdown table. */
export type CollectionBody =
  | { kind: 'json'; value: unknown[] }
  | { kind: 'ndjson'; lines: Iterable<unknown> }
  | { kind: 'markdown'; text: string }

/**
 * Parses a complex-matcher filter; a bad one is XO's 400 with `stringToParse`
 * (@xen-orchestra/rest-api 0.39.0, dist/helpers/utils.helper.mjs).
 */
export function compileFilter(
  filter: string | undefined,
): ((value: unknown) => boolean) | undefined {
  if (filter === undefined) return undefined
  try {
    return CM.parse(filter).createPredicate()
  } catch (err) {
    throw xoError.api(400, err instanceof Error ? err.message : String(err), {
      stringToParse: filter,
    })
  }
}

/**
 * lodash.pick with property paths: `memory.size` keeps `{memory: {size}}`
 * (@xen-orchestra/rest-api 0.39.0, dist/helpers/object-wrapper.helper.mjs).
 */
export function pickFields(
  record: Record<string, unknown>,
  fields: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    if (Object.hasOwn(record, field)) {
      out[field] = record[field]
      continue
    }
    const path = field.split('.')
    let source: unknown = record
    for (const key of path) {
      source =
        source !== null && typeof source === 'object'
          ? (source as Record<string, unknown>)[key]
          : undefined
    }
    if (source === undefined) continue // unknown fields are silently ignored
    let target = out
    for (const key of path.slice(0, -1)) {
      const next = target[key]
      target = (target[key] = next !== null && typeof next === 'object' ? next : {}) as Record<
        string,
        unknown
      >
    }
    target[path[path.length - 1] as string] = source
  }
  return out
}

/**
 * How one item is shown: its href, or picked fields plus href (@xen-orchestra/rest-api 0.39.0,
 * dist/helpers/object-wrapper.helper.mjs).
 */
export function itemMapper(fields: string | undefined, hrefOf: (r: XoRecord) => string) {
  if (fields === undefined) return (r: XoRecord): unknown => hrefOf(r)
  if (fields === '*') return (r: XoRecord): unknown => ({ ...r, href: hrefOf(r) })
  const list = fields.split(',')
  return (r: XoRecord): unknown => ({ ...pickFields(r, list), href: hrefOf(r) })
}

/**
 * XO's countdown: negative or fractional limits never reach zero, so they return everything
 * (@xen-orchestra/rest-api 0.39.0, dist/abstract-classes/base-controller.mjs).
 */
function* limited<T>(items: Iterable<T>, limit: number): Generator<T> {
  let left = limit
  if (left === 0) return
  for (const item of items) {
    yield item
    if (--left === 0) return
  }
}

function* filtered(
  items: Iterable<XoRecord>,
  predicate?: (value: unknown) => boolean,
): Generator<XoRecord> {
  for (const item of items) if (!predicate || predicate(item)) yield item
}

function* mapped<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item)
}

function markdownCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return text.replaceAll('|', '\\|').replace(/\r?\n/g, ' ')
}

/**
 * XO's markdown table: header from the first item's keys except href; "No results." when empty
 * (@xen-orchestra/rest-api 0.39.0, dist/helpers/markdown.helper.mjs).
 */
export function toMarkdown(items: unknown[]): string {
  if (items.length === 0) return 'No results.'
  const first = items[0]
  if (typeof first !== 'object' || first === null) return items.map(String).join('\n')
  const keys = Object.keys(first).filter((k) => k !== 'href')
  const rows = items.map(
    (item) =>
      `| ${keys.map((k) => markdownCell((item as Record<string, unknown>)[k])).join(' | ')} |`,
  )
  return [`| ${keys.join(' | ')} |`, `| ${keys.map(() => '---').join(' | ')} |`, ...rows].join('\n')
}

/**
 * Applies filter (on the full object), limit, then field selection, in XO's order, and picks the
 * output format. `ndjson` and `markdown` compare the raw string to 'true', as XO does
 * (dist/abstract-classes/base-controller.mjs).
 */
export function renderCollection(
  records: Iterable<XoRecord>,
  query: CollectionQuery,
  hrefOf: (r: XoRecord) => string,
): CollectionBody {
  const ndjson = query.ndjson === 'true'
  const markdown = query.markdown === 'true'
  if (ndjson && markdown) {
    throw xoError.invalidParameters(
      'Cannot use both ndjson and markdown output formats simultaneously',
    )
  }
  const predicate = compileFilter(query.filter)
  const limit = query.limit === undefined ? Infinity : Number(query.limit)
  const items = mapped(
    limited(filtered(records, predicate), limit),
    itemMapper(query.fields, hrefOf),
  )
  if (ndjson) return { kind: 'ndjson', lines: items }
  const all = [...items]
  return markdown ? { kind: 'markdown', text: toMarkdown(all) } : { kind: 'json', value: all }
}
