import type {
  InventoryDiff,
  InventoryObject,
  InventoryPage,
  InventoryPageQuery,
  InventorySort,
} from '@contract/inventory'
import { parse as parseFilter } from 'complex-matcher'
import { AppFailure } from '../app-failure'
import type { XoListenerType, XoObjectEvent } from '../xo/events'
import { XO_TYPE_OF_COLLECTION } from '../xo-model/xo-types'
import { DEFAULT_INVENTORY_FIELDS } from './inventory-fields'

export { DEFAULT_INVENTORY_FIELDS } from './inventory-fields'
import { compileFilter } from './inventory-filter'
import { comparator, deepEqual, NAMED_REFERENCES, REFERENCE_FIELDS } from './inventory-order'
import { keepCurrent, type View } from './inventory-views'
export { compileFilter } from './inventory-filter'
export { comparator, deepEqual, type NameOf } from './inventory-order'

/**
 * Reads one whole collection with the given fields (the REST client's `list`, or its NDJSON
 * `stream` collected). Items may carry `href` (docs/xo-rest-api.md#collections-and-fields); it is
 * dropped.
 */
export type InventoryLoader = (
  collection: string,
  fields: string[],
  signal: AbortSignal,
) => Promise<Record<string, unknown>[]>

/** The part of `XoEventStream` the cache uses, so tests and other sources can stand in. */
export interface LiveFeed {
  subscribe(type: XoListenerType, fields: readonly string[]): unknown
  onEvent(listener: (event: XoObjectEvent) => void): () => void
}

/** REST collection → SSE subscription type (an `XoListenerType`), where the collection has one. */
export const LISTENER_TYPE_OF_COLLECTION: Readonly<Record<string, XoListenerType>> =
  XO_TYPE_OF_COLLECTION

export interface InventoryCacheOptions {
  instanceId: string
  load: InventoryLoader
  /** Collection → fields to keep. `id` is always added. Default: {@link DEFAULT_INVENTORY_FIELDS}. */
  collections?: Readonly<Record<string, readonly string[]>>
  /** Live changes; the cache subscribes each collection on it with the same fields. */
  feed?: LiveFeed
  /** Changes within this window go out as one diff per collection. Default 16 ms (one frame). */
  frameMs?: number
  /**
   * Objects to start with (an instance's snapshot from disk), answered at once until the first
   * read replaces them; `synced` stays false until then. Only the kept fields of known
   * collections are taken.
   */
  initial?: Readonly<Record<string, readonly InventoryObject[]>>
  log?: (message: string) => void
}

/** How a caller of {@link InventoryCache.sync} may share a read with others. */
export interface SyncOptions {
  /**
   * Needs a read whose requests go out after this call: it waits for the read in flight, if any,
   * then reads again. The event stream's resync asks for one: it runs once the subscriptions are
   * made on the new connection, and a read that started before them may miss changes.
   */
  fresh?: boolean
}

/** One full read of every collection, shared by every caller that can use it. */
interface SharedRead {
  /** Settles once the read is in the cache, or has failed. */
  done: Promise<void>
  /** Callers still waiting; when the last one gives up, the read is aborted. */
  waiters: number
  readonly controller: AbortController
}

/** Views kept per collection: each one costs a little on every change, so typing does not pile them up. */
const MAX_VIEWS = 8

/** Changes to one collection since the last flush: the state of each touched id before them. */
interface Pending {
  before: Map<string, InventoryObject | undefined>
  resynced: boolean
}

/**
 * The objects of one XO instance that lists show, kept current: a full read, then live events,
 * then a full re-read after every reconnect (XO replays nothing, docs/xo-rest-api.md#events).
 * Listeners receive coalesced diffs, at most one per collection per frame, so bursts do not flood
 * IPC.
 */
export class InventoryCache {
  readonly instanceId: string
  readonly #fields = new Map<string, string[]>()
  readonly #collectionOfType = new Map<string, string>()
  readonly #data = new Map<string, Map<string, InventoryObject>>()
  readonly #pending = new Map<string, Pending>()
  readonly #listeners = new Set<(diff: InventoryDiff) => void>()
  /** Sorted/filtered views by collection and key, least recently read first. */
  readonly #views = new Map<string, Map<string, View>>()
  readonly #predicates = new Map<string, (value: unknown) => boolean>()
  /** Events seen while a sync reads, replayed over its result. */
  readonly #buffers = new Set<XoObjectEvent[]>()
  readonly #load: InventoryLoader
  readonly #frameMs: number
  readonly #log: (message: string) => void
  readonly #stopFeed: () => void
  readonly #disposed = new AbortController()
  #timer: NodeJS.Timeout | undefined
  /** The read in flight, and the `fresh` one queued after it (not started yet): one of each at most. */
  #running: SharedRead | undefined
  #next: SharedRead | undefined
  #synced = false
  /** Collections read from XO at least once, before the whole first read ends. */
  readonly #loaded = new Set<string>()
  readonly #loadedWaiters = new Set<() => void>()

  constructor(options: InventoryCacheOptions) {
    this.instanceId = options.instanceId
    this.#load = options.load
    this.#frameMs = options.frameMs ?? 16
    this.#log = options.log ?? (() => {})
    for (const [collection, fields] of Object.entries(
      options.collections ?? DEFAULT_INVENTORY_FIELDS,
    )) {
      this.#fields.set(collection, [...new Set(['id', ...fields])])
      this.#data.set(collection, new Map())
      const type = LISTENER_TYPE_OF_COLLECTION[collection]
      if (type) this.#collectionOfType.set(type, collection)
    }
    if (options.initial) this.#restore(options.initial)
    const feed = options.feed
    if (!feed) {
      this.#stopFeed = () => {}
      return
    }
    this.#stopFeed = feed.onEvent((event) => this.#onEvent(event))
    for (const [type, collection] of this.#collectionOfType) {
      // The same fields as the reads, so an event and a re-read of an object compare equal.
      void Promise.resolve(
        feed.subscribe(type as XoListenerType, this.#fields.get(collection) ?? ['id']),
      ).catch((err: unknown) => this.#log(`inventory: subscribe ${type} failed: ${String(err)}`))
    }
  }

  /** The collections this cache holds. */
  get collections(): string[] {
    return [...this.#fields.keys()]
  }

  /** True once a full read has completed. */
  get synced(): boolean {
    return this.#synced
  }

  /**
   * Reads every collection again and emits what changed against the cache (first load, or the
   * resync after a reconnect). Events arriving meanwhile are applied at once *and* replayed over
   * the fresh read, in order, so a read older than an event cannot undo it.
   *
   * One read at a time, shared: a caller arriving while a read runs waits for that read (with
   * `fresh`, for the next one, started when it ends). The caller's signal ends only its own wait;
   * the read is aborted when nobody waits for it any more, or when the cache is disposed.
   */
  sync(signal?: AbortSignal, options: SyncOptions = {}): Promise<void> {
    if (this.#disposed.signal.aborted) return Promise.reject(this.#disposed.signal.reason)
    if (signal?.aborted) return Promise.reject(signal.reason)
    let read: SharedRead
    if (!options.fresh) read = this.#running ?? this.#next ?? (this.#running = this.#read())
    else if (this.#next) read = this.#next
    else if (this.#running) read = this.#next = this.#read(this.#running)
    else read = this.#running = this.#read()
    return this.#wait(read, signal)
  }

  /** A read, started now or once `after` has settled. */
  #read(after?: SharedRead): SharedRead {
    const controller = new AbortController()
    const signal = AbortSignal.any([controller.signal, this.#disposed.signal])
    const read: SharedRead = { done: Promise.resolve(), waiters: 0, controller }
    const run = async (): Promise<void> => {
      if (after) await after.done.catch(() => undefined)
      signal.throwIfAborted()
      if (this.#next === read) [this.#next, this.#running] = [undefined, read]
      await this.#readAll(signal)
    }
    read.done = run().finally(() => {
      if (this.#running === read) this.#running = undefined
    })
    read.done.catch(() => undefined) // its waiters hear of a failure; nobody else must
    return read
  }

  #wait(read: SharedRead, signal: AbortSignal | undefined): Promise<void> {
    read.waiters++
    if (!signal) return read.done
    return new Promise<void>((resolve, reject) => {
      const leave = (): void => {
        reject(signal.reason)
        if (--read.waiters > 0) return
        // Nobody waits for it any more: stop reading, and let the next caller start afresh.
        if (this.#running === read) this.#running = undefined
        if (this.#next === read) this.#next = undefined
        read.controller.abort(signal.reason)
      }
      signal.addEventListener('abort', leave, { once: true })
      void read.done.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave))
    })
  }

  async #readAll(signal: AbortSignal): Promise<void> {
    const buffer: XoObjectEvent[] = []
    this.#buffers.add(buffer)
    const first = !this.#synced
    // The lists an admin opens first are read before the rest, which would otherwise compete
    // with them for XO's time and the socket (13,000 disks against 10,000 VMs).
    const [firstRead, thenRead] = partition([...this.#fields.keys()], (c) => READ_FIRST.has(c))
    let firstDone: Promise<unknown> = Promise.resolve()
    try {
      const read = async (collection: string) => {
        const fields = this.#fields.get(collection) ?? ['id']
        if (!READ_FIRST.has(collection)) await firstDone.catch(() => undefined)
        const items = await this.#load(collection, fields, signal)
        // On the first read each collection is usable as soon as it arrives: the VM list does
        // not wait for the (bigger) disks and messages. Its events so far are replayed over it.
        if (first && !signal.aborted) {
          this.#replace(collection, items)
          for (const event of buffer)
            if (this.#collectionOfType.get(event.type) === collection) this.#apply(event)
          this.#markLoaded(collection)
          this.#schedule()
        }
        return [collection, items] as const
      }
      const early = firstRead.map(read)
      firstDone = Promise.all(early)
      firstDone.catch(() => undefined) // its failure is the read's, reported below
      const results = await Promise.all([...early, ...thenRead.map(read)])
      signal.throwIfAborted()
      if (!first) for (const [collection, items] of results) this.#replace(collection, items)
      // In order, every event seen during the read: the cache ends at the latest state of each.
      for (const event of buffer) this.#apply(event)
      this.#synced = true
      for (const collection of this.#fields.keys()) this.#markLoaded(collection)
      this.#schedule()
    } finally {
      this.#buffers.delete(buffer)
    }
  }

  /** Whether a collection has been read from XO at least once. */
  loaded(collection: string): boolean {
    return this.#synced || this.#loaded.has(collection)
  }

  /** Settles once every one of these collections has been read from XO (or the signal aborts). */
  whenLoaded(collections: readonly string[], signal?: AbortSignal): Promise<void> {
    const waiting = collections.filter((c) => this.#fields.has(c) && !this.loaded(c))
    if (waiting.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!waiting.every((c) => this.loaded(c))) return
        this.#loadedWaiters.delete(check)
        signal?.removeEventListener('abort', abort)
        resolve()
      }
      const abort = (): void => {
        this.#loadedWaiters.delete(check)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', abort, { once: true })
      this.#loadedWaiters.add(check)
    })
  }

  #markLoaded(collection: string): void {
    if (this.#loaded.has(collection)) return
    this.#loaded.add(collection)
    for (const check of [...this.#loadedWaiters]) check()
  }

  /** One object, as last seen. */
  get(collection: string, id: string): InventoryObject | undefined {
    return this.#data.get(collection)?.get(id)
  }

  /** Every object of a collection, in XO's order. */
  all(collection: string): InventoryObject[] {
    return [...(this.#data.get(collection)?.values() ?? [])]
  }

  /** Number of objects, or of those matching an XO search expression. */
  count(collection: string, filter?: string): number {
    if (!filter) return this.#data.get(collection)?.size ?? 0
    return this.#view(collection, undefined, filter).length
  }

  /** A slice of a collection, filtered (XO's syntax, docs/xo-rest-api.md#filters) and sorted. */
  page(collection: string, query: Omit<InventoryPageQuery, 'collection'>): InventoryPage {
    const rows = this.#view(collection, query.sort, query.filter)
    const offset = Math.max(0, Math.floor(query.offset))
    const limit = Math.max(0, Math.floor(query.limit))
    const slice = rows.slice(offset, offset + limit)
    const items = query.fields ? slice.map((row) => pick(row, query.fields ?? [])) : slice
    return { collection, offset, items, total: rows.length }
  }

  /**
   * The whole filtered and sorted view a page is cut from, shared with the cache (read-only, and
   * updated in place by later changes): `inventory.pageAll` merges these across instances without
   * copying them, at once.
   */
  view(collection: string, sort?: InventorySort, filter?: string): readonly InventoryObject[] {
    return this.#view(collection, sort, filter)
  }

  /**
   * Receives every diff, a resync's with its objects (the renderer gets it without them, see
   * `connect.ts`); returns the unsubscribe function.
   */
  subscribe(listener: (diff: InventoryDiff) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Sends the pending diffs now instead of at the end of the frame. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    const pending = [...this.#pending]
    this.#pending.clear()
    for (const [collection, { before, resynced }] of pending) {
      const current = this.#data.get(collection) ?? new Map<string, InventoryObject>()
      const upserts: InventoryObject[] = []
      const removals: string[] = []
      for (const [id, old] of before) {
        const now = current.get(id)
        if (!now) {
          if (old) removals.push(id) // added then removed within the frame: nothing to say
        } else if (!old || !deepEqual(old, now)) upserts.push(now)
      }
      // A resync is announced even when nothing changed: the renderer learns the list is complete.
      if (upserts.length === 0 && removals.length === 0 && !resynced) continue
      const diff: InventoryDiff = {
        instanceId: this.instanceId,
        collection,
        upserts,
        removals,
        total: current.size,
        ...(resynced ? { resynced: true } : {}),
      }
      for (const listener of this.#listeners) {
        try {
          listener(diff)
        } catch (err) {
          this.#log(
            `inventory listener failed: ${err instanceof Error ? err.message : String(err)}`,
          )
        }
      }
    }
  }

  /** Stops listening, drops pending diffs and aborts a running sync. */
  dispose(): void {
    this.#disposed.abort()
    this.#stopFeed()
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending.clear()
    this.#listeners.clear()
  }

  #restore(initial: Readonly<Record<string, readonly InventoryObject[]>>): void {
    for (const [collection, fields] of this.#fields) {
      const items = initial[collection]
      const data = this.#data.get(collection)
      if (!items || !data) continue
      for (const item of items) {
        const object: Record<string, unknown> = {}
        for (const field of fields) if (Object.hasOwn(item, field)) object[field] = item[field]
        if (typeof object['id'] === 'string') data.set(object['id'], object as InventoryObject)
      }
    }
  }

  #onEvent(event: XoObjectEvent): void {
    if (this.#disposed.signal.aborted) return
    if (!this.#collectionOfType.has(event.type)) return
    for (const buffer of this.#buffers) buffer.push(event)
    this.#apply(event)
    this.#schedule()
  }

  #apply({ kind, type, object }: XoObjectEvent): void {
    const collection = this.#collectionOfType.get(type)
    if (!collection) return
    if (kind === 'remove') this.#remove(collection, object.id)
    // Events carry the whole picked object (docs/xo-rest-api.md#events), so it replaces rather than
    // merges.
    else this.#upsert(collection, object)
  }

  #replace(collection: string, items: Record<string, unknown>[]): void {
    const current = this.#data.get(collection)
    if (!current) return
    const next = new Map<string, InventoryObject>()
    for (const item of items) {
      const object = normalise(item)
      if (object) next.set(object.id, object)
      else this.#log(`inventory: a ${collection} item without id was skipped`)
    }
    // A whole new list: the views are rebuilt when read rather than patched object by object.
    this.#dropViews(collection)
    for (const id of [...current.keys()]) if (!next.has(id)) this.#remove(collection, id)
    for (const object of next.values()) this.#upsert(collection, object)
    this.#touch(collection).resynced = true
  }

  #upsert(collection: string, object: InventoryObject): void {
    const current = this.#data.get(collection)
    if (!current) return
    const old = current.get(object.id)
    if (old && deepEqual(old, object)) return
    this.#remember(collection, object.id, old)
    current.set(object.id, object)
    this.#changed(collection, old, object)
  }

  /**
   * One object changed (`now` undefined: removed). Each view of its collection follows the change
   * (a sort after every live change would cost ~20 ms at 10,000 VMs); views sorted by the names of
   * pools or hosts are dropped when such a name changed.
   */
  #changed(collection: string, old: InventoryObject | undefined, now: InventoryObject | undefined) {
    const views = this.#views.get(collection)
    if (views) for (const [key, view] of views) if (!keepCurrent(view, old, now)) views.delete(key)
    if (NAMED_REFERENCES.has(collection) && old?.['name_label'] !== now?.['name_label'])
      this.#dropReferenceViews()
  }

  /** Every view of this collection, and those sorted by its names. */
  #dropViews(collection: string): void {
    this.#views.delete(collection)
    if (NAMED_REFERENCES.has(collection)) this.#dropReferenceViews()
  }

  #dropReferenceViews(): void {
    for (const views of this.#views.values())
      for (const key of views.keys())
        if (REFERENCE_FIELDS.has(key.split('\u0000')[0] ?? '')) views.delete(key)
  }

  /** The name of a pool or host, by id: what a `$pool` or `$container` column shows. */
  nameOf(id: string): string | undefined {
    for (const collection of NAMED_REFERENCES) {
      const name = this.#data.get(collection)?.get(id)?.['name_label']
      if (typeof name === 'string') return name
    }
    return undefined
  }

  #remove(collection: string, id: string): void {
    const current = this.#data.get(collection)
    const old = current?.get(id)
    if (!current || !old) return
    this.#remember(collection, id, old)
    current.delete(id)
    this.#changed(collection, old, undefined)
  }

  /** Keeps the state an id had at the start of the frame: the diff compares against it. */
  #remember(collection: string, id: string, old: InventoryObject | undefined): void {
    const pending = this.#touch(collection)
    if (!pending.before.has(id)) pending.before.set(id, old)
  }

  #touch(collection: string): Pending {
    let pending = this.#pending.get(collection)
    if (!pending) {
      pending = { before: new Map(), resynced: false }
      this.#pending.set(collection, pending)
    }
    return pending
  }

  /** Flushes once per frame after the first change, however many follow (bounded latency). */
  #schedule(): void {
    if (this.#timer || this.#pending.size === 0 || this.#disposed.signal.aborted) return
    this.#timer = setTimeout(() => this.flush(), this.#frameMs)
  }

  #view(collection: string, sort: InventorySort | undefined, filter: string | undefined) {
    const key = `${sort?.field ?? ''}\u0000${sort?.direction ?? ''}\u0000${filter ?? ''}`
    let views = this.#views.get(collection)
    const cached = views?.get(key)
    if (views && cached) {
      views.delete(key) // read last: evicted last
      views.set(key, cached)
      return cached.rows
    }
    const matches = filter ? this.#predicate(filter) : () => true
    const compare = sort ? comparator(sort, (id) => this.nameOf(id)) : undefined
    // The same sort unfiltered, when kept, is already in order: filtering it needs no sort.
    const sorted = filter && sort ? views?.get(key.slice(0, -filter.length)) : undefined
    let rows: InventoryObject[]
    if (sorted) rows = sorted.rows.filter(matches)
    else {
      rows = [...(this.#data.get(collection)?.values() ?? [])]
      if (filter) rows = rows.filter(matches)
      if (compare) rows.sort(compare)
    }
    if (!views) this.#views.set(collection, (views = new Map()))
    views.set(key, { rows, matches, compare })
    for (const oldest of views.keys()) {
      if (views.size <= MAX_VIEWS) break
      views.delete(oldest)
    }
    return rows
  }

  #predicate(filter: string): (value: unknown) => boolean {
    let predicate = this.#predicates.get(filter)
    if (predicate) return predicate
    try {
      predicate = compileFilter(parseFilter(filter))
    } catch {
      throw new AppFailure(
        'invalid-input',
        `The search "${filter}" could not be read.`,
        'Check the search syntax: words, property:value, !negation, |(a b) for "or".',
      )
    }
    if (this.#predicates.size > 100) this.#predicates.clear()
    this.#predicates.set(filter, predicate)
    return predicate
  }
}

/** Only the given top-level fields of an object, and its id. */
export function pick(row: InventoryObject, fields: readonly string[]): InventoryObject {
  const out: InventoryObject = { id: row.id }
  for (const field of fields) if (Object.hasOwn(row, field)) out[field] = row[field]
  return out
}

/** Read before the other collections: what the first screens show. */
const READ_FIRST: ReadonlySet<string> = new Set(['pools', 'hosts', 'vms', 'srs'])

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))]
}

/** A loaded item as the cache stores it: no `href` (events have none), a string id. */
function normalise(item: Record<string, unknown>): InventoryObject | undefined {
  const { href: _href, ...rest } = item
  return typeof rest['id'] === 'string' ? (rest as InventoryObject) : undefined
}
