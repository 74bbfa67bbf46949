import type { InventoryObject } from '@contract/inventory'

/** A sorted/filtered view of a collection, kept current by each change (see `keepCurrent`). */
export interface View {
  rows: InventoryObject[]
  matches: (object: InventoryObject) => boolean
  /** The sort's order; without one, the view keeps XO's order (the collection's). */
  compare: ((a: InventoryObject, b: InventoryObject) => number) | undefined
}

/**
 * Makes a view follow one object's change, in place; false when it cannot tell where the object
 * goes (the view is then dropped and rebuilt when read).
 */
export function keepCurrent(
  view: View,
  old: InventoryObject | undefined,
  now: InventoryObject | undefined,
): boolean {
  const was = old !== undefined && view.matches(old)
  const is = now !== undefined && view.matches(now)
  if (!was && !is) return true
  const { rows, compare } = view
  if (!compare) {
    // XO's order: a changed object keeps its place, a new one comes last (as in the Map).
    if (was) {
      const at = rows.indexOf(old)
      if (at < 0) return false
      if (is) rows[at] = now as InventoryObject
      else rows.splice(at, 1)
      return true
    }
    if (old !== undefined) return false // an older object that now matches: its place is unknown
    rows.push(now as InventoryObject)
    return true
  }
  if (was) {
    const at = lowerBound(rows, old, compare)
    if (rows[at] !== old) return false
    // Same sort value (ties are by id, the same): the same place.
    if (is && compare(old, now as InventoryObject) === 0) {
      rows[at] = now as InventoryObject
      return true
    }
    rows.splice(at, 1)
  }
  if (is) rows.splice(lowerBound(rows, now as InventoryObject, compare), 0, now as InventoryObject)
  return true
}

/** The first index whose row does not sort before `object`. */
function lowerBound(
  rows: readonly InventoryObject[],
  object: InventoryObject,
  compare: (a: InventoryObject, b: InventoryObject) => number,
): number {
  let [low, high] = [0, rows.length]
  while (low < high) {
    const mid = (low + high) >>> 1
    if (compare(rows[mid] as InventoryObject, object) < 0) low = mid + 1
    else high = mid
  }
  return low
}
