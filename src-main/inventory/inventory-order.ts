import type { InventoryObject, InventorySort } from '@contract/inventory'

/** The order of the inventory's pages, shared by the cache and the merge across instances. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Fields that hold another object's id: sorted by that object's name, the way the table shows them. */
export const REFERENCE_FIELDS: ReadonlySet<string> = new Set(['$pool', '$container'])
/** Where those objects are. A halted VM's `$container` is its pool. */
export const NAMED_REFERENCES: ReadonlySet<string> = new Set(['pools', 'hosts'])

/** The name of the pool or host with this id, when known. */
export type NameOf = (id: string) => string | undefined

/**
 * The order of {@link InventoryCache.page} for a sort: the merge across instances uses the same.
 * `$pool` and `$container` sort by the names `nameOf` gives (ids when unknown).
 */
export function comparator({ field, direction }: InventorySort, nameOf?: NameOf) {
  const sign = direction === 'desc' ? -1 : 1
  const path = field.split('.')
  const named = nameOf && REFERENCE_FIELDS.has(field) ? nameOf : undefined
  const read = (o: InventoryObject): unknown => {
    const value = valueAt(o, path)
    return named && typeof value === 'string' ? (named(value) ?? value) : value
  }
  return (a: InventoryObject, b: InventoryObject): number => {
    const x = read(a)
    const y = read(b)
    // Missing values sort last in both directions; ties keep a stable order by id.
    const xMissing = x === undefined || x === null
    const yMissing = y === undefined || y === null
    if (xMissing || yMissing) {
      if (xMissing !== yMissing) return xMissing ? 1 : -1
    } else {
      const order = compareValues(x, y)
      if (order !== 0) return sign * order
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  }
}

export function valueAt(object: unknown, path: readonly string[]): unknown {
  let value = object
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

function compareValues(x: unknown, y: unknown): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y)
  const sx = typeof x === 'object' ? JSON.stringify(x) : String(x)
  const sy = typeof y === 'object' ? JSON.stringify(y) : String(y)
  return collator.compare(sx, sy)
}

/** Structural equality of JSON data (key order ignored: a read and an event may differ in it). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]))
  }
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  const keys = Object.keys(ra)
  if (keys.length !== Object.keys(rb).length) return false
  return keys.every((key) => Object.hasOwn(rb, key) && deepEqual(ra[key], rb[key]))
}
