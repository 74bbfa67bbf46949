import type { AppError } from '@contract'
import type { ConnectionState } from '@contract/inventory'
import type { Dispatcher } from 'undici'
import { XoEventStream, type BackoffOptions } from '../xo/events'
import { InventoryCache, type InventoryLoader } from './inventory-cache'

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
  /** Listens to connection-state changes; returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  /** Closes the stream (releasing its socket) and disposes of the cache. */
  close(): Promise<void>
}

/**
 * Wires an {@link XoEventStream} to an {@link InventoryCache} and starts it: subscribe first,
 * then read (so nothing falls between the two, GUIDE §6.4), and read again after every
 * reconnect, because XO replays nothing (GUIDE §8.4).
 */
export function startLiveInventory(options: LiveInventoryOptions): LiveInventory {
  const { instanceId } = options
  const stream = new XoEventStream({
    baseUrl: options.baseUrl,
    headers: options.headers,
    resync: (signal) => cache.sync(signal),
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
    ...(options.log ? { log: options.log } : {}),
  })
  const connection = (): ConnectionState => {
    const { state, error, retryAt } = stream.status
    return {
      instanceId,
      state,
      ...(error ? { error } : {}),
      ...(retryAt !== undefined ? { retryAt } : {}),
    }
  }
  options.signal?.addEventListener('abort', () => cache.dispose(), { once: true })
  stream.start()
  return {
    cache,
    stream,
    connection,
    onConnection: (listener) => stream.onState(() => listener(connection())),
    async close() {
      await stream.close()
      cache.dispose()
    },
  }
}
