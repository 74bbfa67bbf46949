import type { AppError } from '@contract'
import type { ConnectionState } from '@contract/inventory'
import type { Dispatcher } from 'undici'
import { XoEventStream, type BackoffOptions } from '../xo/events'
import { InventoryCache, type InventoryLoader } from './inventory-cache'
import type { InventorySnapshot } from './inventory-snapshot'

export interface LiveInventoryOptions {
  instanceId: string
  /** REST base URL, ending in `/rest/v0`. */
  baseUrl: string
  /** Auth headers (the `authenticationToken` cookie), read on each request. */
  headers: () => Record<string, string>
  /** Full read of one collection: the REST client's `list`. */
  load: InventoryLoader
  dispatcher?: Dispatcher
  /** Collection → fields; default `DEFAULT_INVENTORY_FIELDS`. */
  collections?: Readonly<Record<string, readonly string[]>>
  frameMs?: number
  /**
   * The instance's last known inventory, from disk: the cache starts with it, pages answer from
   * it at once, and the connection state says it is stale until the first read replaces it.
   */
  snapshot?: InventorySnapshot
  pingIntervalMs?: number
  backoff?: Partial<BackoffOptions>
  toAppError?: (err: unknown) => AppError
  log?: (message: string) => void
  signal?: AbortSignal
}

/** One instance's live inventory: the cache, the stream feeding it, and their connection state. */
export interface LiveInventory {
  readonly cache: InventoryCache
  readonly stream: XoEventStream
  /** The current connection state, as pushed to the renderer. */
  connection(): ConnectionState
  /**
   * When the cache's data was last known to match XO: now while live, when the stream dropped
   * otherwise, the snapshot's time while only the snapshot is held; undefined before any data.
   */
  freshAt(): number | undefined
  /**
   * Resolves once the cache holds a full read, for a page asked for early. While the stream makes
   * its first connection, that is the read it starts once subscribed: the page waits for it rather
   * than reading before the subscriptions (which would need a second read). Otherwise it shares
   * the read in flight or starts one, so an unreachable XO answers with an error, not silence.
   * The signal ends only this caller's wait. With a snapshot held, at once: its data answers.
   */
  /**
   * Settles once the cache can answer: the whole first read, or only the given collections of it
   * (a VM page needs the VMs, not the disks).
   */
  ready(signal?: AbortSignal, collections?: readonly string[]): Promise<void>
  /** Listens to connection-state changes; returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  /** Closes the stream (releasing its socket) and disposes of the cache. */
  close(): Promise<void>
}

/**
 * Wires an {@link XoEventStream} to an {@link InventoryCache} and starts it: subscribe first,
 * then read (so nothing falls between the two), and read again after every reconnect, because XO
 * replays nothing (docs/xo-rest-api.md#events).
 */
export function startLiveInventory(options: LiveInventoryOptions): LiveInventory {
  const { instanceId } = options
  let firstResync = (): void => undefined
  const firstResyncStarted = new Promise<void>((resolve) => (firstResync = resolve))
  const stream = new XoEventStream({
    baseUrl: options.baseUrl,
    headers: options.headers,
    // A read of its own, not one in flight: that one may have started before the subscriptions
    // were made on this connection, and missed what changed since (page requests share it).
    resync: (signal) => {
      const read = cache.sync(signal, { fresh: true })
      firstResync() // after `sync`, which registers the read at once: early pages join it
      return read
    },
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.pingIntervalMs !== undefined ? { pingIntervalMs: options.pingIntervalMs } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.toAppError ? { toAppError: options.toAppError } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const cache: InventoryCache = new InventoryCache({
    instanceId,
    load: options.load,
    feed: stream,
    ...(options.collections ? { collections: options.collections } : {}),
    ...(options.frameMs !== undefined ? { frameMs: options.frameMs } : {}),
    ...(options.snapshot ? { initial: options.snapshot.collections } : {}),
    ...(options.log ? { log: options.log } : {}),
  })
  const snapshotAt = options.snapshot?.savedAt
  /** Until the first read completes, the data shown is the snapshot's. */
  const staleSince = (): number | undefined => (cache.synced ? undefined : snapshotAt)
  let wasLive = false
  let leftLiveAt: number | undefined
  stream.onState(({ state }) => {
    if (wasLive && state !== 'live') leftLiveAt = Date.now()
    wasLive = state === 'live'
  })
  const connection = (): ConnectionState => {
    const { state, error, retryAt } = stream.status
    const since = staleSince()
    return {
      instanceId,
      state,
      ...(error ? { error } : {}),
      ...(retryAt !== undefined ? { retryAt } : {}),
      ...(since !== undefined ? { stale: { since } } : {}),
    }
  }
  /** Until the stream's first read has started, or its first connection has failed. */
  const firstRead = (signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (): void => {
        off()
        signal?.removeEventListener('abort', abort)
        resolve()
      }
      const abort = (): void => {
        off()
        reject(signal?.reason)
      }
      const off = stream.onState((s) => s.state !== 'connecting' && done())
      signal?.addEventListener('abort', abort, { once: true })
      void firstResyncStarted.then(done)
    })
  options.signal?.addEventListener('abort', () => cache.dispose(), { once: true })
  stream.start()
  return {
    cache,
    stream,
    connection,
    freshAt() {
      if (!cache.synced) return snapshotAt
      return stream.status.state === 'live' ? Date.now() : leftLiveAt
    },
    async ready(signal, collections) {
      if (cache.synced || staleSince() !== undefined) return
      if (collections && collections.every((c) => cache.loaded(c))) return
      signal?.throwIfAborted()
      if (stream.status.state === 'connecting') await firstRead(signal)
      if (cache.synced) return
      // The read in flight, or a new one; for some collections, only until they are in.
      const read = cache.sync(signal)
      if (!collections) return read
      read.catch(() => undefined)
      await Promise.race([read, cache.whenLoaded(collections, signal)])
    },
    onConnection: (listener) => stream.onState(() => listener(connection())),
    async close() {
      await stream.close()
      cache.dispose()
    },
  }
}
