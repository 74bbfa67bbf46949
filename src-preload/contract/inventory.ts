/**
 * Inventory and live-connection payloads pushed from main to the renderer. Plain,
 * structured-clone-safe data; environment-neutral like the rest of the contract.
 */
import type { AppError } from './errors'

/** One XO object as the inventory holds it: the picked fields of a collection, `id` always present. */
export type InventoryObject = { id: string } & Record<string, unknown>

/**
 * Where the live event stream of one XO instance stands.
 *
 * `connecting`: first connection; `live`: subscribed and in sync; `reconnecting`: the stream
 * dropped and a retry is scheduled; `stopped`: closed, or given up on a non-retryable error.
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'stopped'

/** Pushed when an instance's live connection changes state (shown as a status dot in the UI). */
export interface ConnectionState {
  instanceId: string
  state: LiveState
  /** The last failure, kept while reconnecting so the UI can say why. */
  error?: AppError
  /** When the next reconnect attempt starts (ms since the epoch), while `reconnecting`. */
  retryAt?: number
  /**
   * Present while the data shown is the last known inventory from disk, until the first fresh
   * read from XO completes: `since` is when it was last known to match XO (ms since the epoch).
   * `state` and `error` say why it is not fresh yet (unreachable, certificate…).
   */
  stale?: { since: number }
}

/**
 * The changes to one collection of one instance since the previous diff.
 *
 * Live diffs are coalesced per frame: `upserts` holds the last state of every added or changed
 * object, `removals` the ids that went away. An object added then removed within a frame appears
 * in neither.
 *
 * A resync (`resynced: true`: the first read, or the re-read after a reconnect) carries no objects:
 * `upserts` and `removals` are empty and `total` is the size of the collection. Whoever shows the
 * collection reads what it needs again with `inventory.page`.
 */
export interface InventoryDiff {
  instanceId: string
  /** REST collection name: `vms`, `hosts`, `pools`, `srs`, … */
  collection: string
  upserts: InventoryObject[]
  removals: string[]
  /** True when the diff comes from a full re-read (first load, or after a reconnect): no objects. */
  resynced?: boolean
  /** Number of objects in the collection once the diff is applied. */
  total: number
}

/** Sort order of a page. `field` may be a dotted path (`memory.size`). */
export interface InventorySort {
  field: string
  direction?: 'asc' | 'desc'
}

/** Which slice of a collection to read. */
export interface InventoryPageQuery {
  collection: string
  offset: number
  limit: number
  sort?: InventorySort
  /** XO's search syntax (complex-matcher, as in XO's own search bar): `power_state:Running web`. */
  filter?: string
  /** Only these top-level fields of each object (`id` always): a names list needs no more. */
  fields?: string[]
}

/** One slice of a collection, with the number of objects matching the filter. */
export interface InventoryPage {
  collection: string
  offset: number
  items: InventoryObject[]
  /** Matching objects in the whole collection, not only in this page. */
  total: number
}

/** Which instance an object of a cross-instance page comes from. */
export interface InstanceRef {
  id: string
  label: string
}

/** An object of a {@link CrossInstancePage}: the instance's object, plus where it lives. */
export type CrossInstanceObject = InventoryObject & { $instance: InstanceRef }

/** An instance left out of a cross-instance page, and why (its rows are not counted in `total`). */
export interface UnavailableInstance {
  instanceId: string
  label: string
  reason: AppError
}

/**
 * One slice of a collection across every connected instance (`inventory.pageAll`): each
 * instance's view filtered and sorted as `inventory.page` would, merged by the same sort key
 * (ties: the instances in the sidebar's order). Without a sort, the instances one after another.
 */
export interface CrossInstancePage {
  collection: string
  offset: number
  items: CrossInstanceObject[]
  /** Matching objects across the instances answered, not only in this page. */
  total: number
  /** Instances whose objects are not in the answer: unreachable before a first read, or too slow. */
  unavailable: UnavailableInstance[]
}
