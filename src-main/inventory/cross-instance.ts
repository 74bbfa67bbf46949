import type { AppError } from '@contract'
import type {
  CrossInstanceObject,
  CrossInstancePage,
  InstanceRef,
  InventoryObject,
  InventoryPageQuery,
  InventorySort,
  UnavailableInstance,
} from '@contract/inventory'
import { toAppError } from '../app-failure'
import { comparator } from './inventory-cache'

/** One instance as the cross-instance page reads it: its live inventory, seen from outside. */
export interface CrossInstanceSource {
  ref: InstanceRef
  /** Resolves once the cache can answer (`LiveInventory.ready`); the signal ends only this wait. */
  ready(signal: AbortSignal): Promise<void>
  /** The cache's filtered and sorted view (`InventoryCache.view`). */
  view(collection: string, sort?: InventorySort, filter?: string): readonly InventoryObject[]
  /** A pool's or host's name, to sort `$pool` and `$container` as each list was sorted. */
  nameOf(id: string): string | undefined
}

export interface PageAcrossOptions {
  /**
   * How long an instance's first read is waited for before the page answers without it. Default
   * 5 s: long enough for a first read on a LAN, short enough that one dead host does not hold
   * the list of all the others.
   */
  waitMs?: number
}

/** Sorting by this field orders the instances by label, then each instance's objects by name. */
export const INSTANCE_SORT_FIELD = '$instance.label'

/**
 * One page across instances: each instance's view (filtered and sorted by its own cache, as
 * `inventory.page`), merged by the same comparator. Instances that cannot answer are reported in
 * `unavailable` and left out of `total`; an invalid filter fails the whole request, as it would
 * on any one instance.
 */
export async function pageAcross(
  sources: readonly CrossInstanceSource[],
  query: InventoryPageQuery,
  signal: AbortSignal,
  options: PageAcrossOptions = {},
): Promise<CrossInstancePage> {
  const waitMs = options.waitMs ?? 5_000
  const unavailable: UnavailableInstance[] = []
  const waits = await Promise.all(
    sources.map(async (source) => {
      const reason = await readiness(source, signal, waitMs)
      if (reason) unavailable.push({ instanceId: source.ref.id, label: source.ref.label, reason })
      return reason ? undefined : source
    }),
  )
  signal.throwIfAborted()
  let ready = waits.filter((s): s is CrossInstanceSource => s !== undefined)
  const { collection, sort, filter } = query
  const byInstance = sort?.field === INSTANCE_SORT_FIELD
  if (byInstance) {
    const sign = sort.direction === 'desc' ? -1 : 1
    ready = [...ready].sort((a, b) => sign * collator.compare(a.ref.label, b.ref.label))
  }
  const ownSort = byInstance ? { field: 'name_label' } : sort
  const lists = ready.map((source) => source.view(collection, ownSort, filter))
  const offset = Math.max(0, Math.floor(query.offset))
  const limit = Math.max(0, Math.floor(query.limit))
  const picked =
    ownSort && !byInstance
      ? mergeWindow(
          lists,
          // Ids are UUIDs: the instance that knows one names it.
          comparator(ownSort, (id) => ready.map((s) => s.nameOf(id)).find((n) => n !== undefined)),
          offset,
          limit,
        )
      : concatWindow(lists, offset, limit)
  const items: CrossInstanceObject[] = picked.map(([list, index]) => ({
    ...(lists[list]?.[index] as InventoryObject),
    $instance: (ready[list] as CrossInstanceSource).ref,
  }))
  const total = lists.reduce((sum, list) => sum + list.length, 0)
  // In the sidebar's order, whichever answered first.
  const order = new Map(sources.map((s, i) => [s.ref.id, i]))
  unavailable.sort((a, b) => (order.get(a.instanceId) ?? 0) - (order.get(b.instanceId) ?? 0))
  return { collection, offset, items, total, unavailable }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Undefined once the source can answer; otherwise why it cannot. Rethrows the caller's abort. */
async function readiness(
  source: CrossInstanceSource,
  signal: AbortSignal,
  waitMs: number,
): Promise<AppError | undefined> {
  const timeout = AbortSignal.timeout(waitMs)
  try {
    await source.ready(AbortSignal.any([signal, timeout]))
    return undefined
  } catch (err) {
    if (signal.aborted) throw signal.reason
    if (timeout.aborted) {
      return {
        code: 'timeout',
        message: `${source.ref.label} has not finished its first read yet.`,
        action: 'Its VMs are added here as soon as it answers; nothing to do meanwhile.',
        retryable: true,
      }
    }
    return toAppError(err)
  }
}

/** A place in one of the lists: [list, index]. */
type Place = readonly [number, number]

/** The window of the lists one after another. */
export function concatWindow(
  lists: readonly (readonly unknown[])[],
  offset: number,
  limit: number,
): Place[] {
  const out: Place[] = []
  let skip = offset
  for (const [list, items] of lists.entries()) {
    if (out.length >= limit) break
    if (skip >= items.length) {
      skip -= items.length
      continue
    }
    const take = Math.min(items.length - skip, limit - out.length)
    for (let i = 0; i < take; i++) out.push([list, skip + i])
    skip = 0
  }
  return out
}

/**
 * The window `[offset, offset + limit)` of the k-way merge of lists each sorted by `compare`,
 * without walking the rows before `offset`: where each list starts is found by binary search on
 * ranks (O(k² log² n)), then only the window is merged (O(limit · k)). Equal objects of
 * different lists keep the lists' order, so the merged order is total and pages never overlap.
 */
export function mergeWindow<T>(
  lists: readonly (readonly T[])[],
  compare: (a: T, b: T) => number,
  offset: number,
  limit: number,
): Place[] {
  /** a (of list i) before b (of list j) in the merged order. */
  const before = (a: T, i: number, b: T, j: number): boolean => {
    const order = compare(a, b)
    return order < 0 || (order === 0 && i < j)
  }
  /** How many items of the merge come before item p of list i. */
  const rank = (i: number, p: number): number => {
    const x = (lists[i] as readonly T[])[p] as T
    let sum = p
    for (const [j, other] of lists.entries()) {
      if (j !== i) sum += countBefore(other, (y) => before(y, j, x, i))
    }
    return sum
  }
  const heads = lists.map((items, i) => {
    // The first item of list i at or past `offset` in the merge; ranks grow along the list.
    let lo = 0
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (rank(i, mid) < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  })
  const out: Place[] = []
  while (out.length < limit) {
    let best = -1
    for (const [i, items] of lists.entries()) {
      const head = heads[i] as number
      if (head >= items.length) continue
      if (best < 0) best = i
      else {
        const b = lists[best] as readonly T[]
        if (before(items[head] as T, i, b[heads[best] as number] as T, best)) best = i
      }
    }
    if (best < 0) break
    out.push([best, heads[best] as number])
    heads[best] = (heads[best] as number) + 1
  }
  return out
}

/** The number of leading items for which `isBefore` holds (it holds on a prefix of the list). */
function countBefore<T>(items: readonly T[], isBefore: (item: T) => boolean): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (isBefore(items[mid] as T)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The part of a connected instance (`instances/instance-registry.ts`) a source needs. */
interface LiveInstance {
  id: string
  label: string
  live: {
    ready(signal?: AbortSignal): Promise<void>
    cache: Pick<CrossInstanceSource, 'view' | 'nameOf'>
  }
}

/** A connected instance as a source of the cross-instance page. */
export function sourceOf({ id, label, live }: LiveInstance): CrossInstanceSource {
  return {
    ref: { id, label },
    ready: (signal) => live.ready(signal),
    view: (collection, sort, filter) => live.cache.view(collection, sort, filter),
    nameOf: (id) => live.cache.nameOf(id),
  }
}
