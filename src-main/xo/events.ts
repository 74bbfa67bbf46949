import type { AppError, ErrorCode } from '@contract'
import type { LiveState } from '@contract/inventory'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { request, type Dispatcher } from 'undici'
import { AppFailure } from '../app-failure'
import { toXoAppError } from './errors'
import { XoResponseError } from './failures'
import type { components } from '@contract/generated/xo-rest'
import { readTextPrefix } from './response-body'
import { DEFAULT_TIMEOUTS, explainTimeout } from './transport'

/**
 * An SSE subscription name: an XO type such as `VM`, `host`, `VM-snapshot` (the `collection` of
 * `POST /events/{id}/subscriptions`, docs/xo-rest-api.md#events).
 */
export type XoListenerType = components['schemas']['XoListenerType']

export type XoEventKind = 'add' | 'update' | 'remove'

/** An XO object as an event carries it: the subscribed fields, `$subscription` stripped. */
export type XoEventObject = { id: string } & Record<string, unknown>

/** One object change received on the stream. */
export interface XoObjectEvent {
  kind: XoEventKind
  type: XoListenerType
  /**
   * For `remove`: the last known state of the object that went away (XO sends the previous
   * object, `dist/events/event.class.mjs` of @xen-orchestra/rest-api 0.39.0).
   */
  object: XoEventObject
}

/** Where the stream stands, with the last failure while it is not live. */
export interface EventStreamStatus {
  state: LiveState
  error?: AppError
  /** When the next attempt starts (ms since the epoch), while `reconnecting`. */
  retryAt?: number
}

export interface ResyncInfo {
  /** False after the first connection, true after every reconnect. */
  reconnect: boolean
}

export interface BackoffOptions {
  initialMs: number
  maxMs: number
  factor: number
}

export interface XoEventStreamOptions {
  /** REST base URL, ending in `/rest/v0`. */
  baseUrl: string
  /** Auth headers for every request (the `authenticationToken` cookie). Read on each connect; never logged. */
  headers: () => Record<string, string>
  /** The instance's undici dispatcher (TLS pinning, pool); the global one when absent. */
  dispatcher?: Dispatcher
  /**
   * Called once subscriptions are in place on a new subscriber id, first connection included.
   * XO replays nothing on reconnect (a new `GET /events` is a new subscriber with no
   * subscriptions, docs/xo-rest-api.md#events), so this is where the caller re-reads what it
   * caches. The state turns `live` when it resolves; if it throws, the stream reconnects.
   */
  resync?: (signal: AbortSignal, info: ResyncInfo) => Promise<void> | void
  /** Aborting it closes the stream for good. */
  signal?: AbortSignal
  /**
   * XO pings every 30 s (`PingListener` in `dist/events/event.class.mjs`); silence for twice this
   * long counts as a drop.
   */
  pingIntervalMs?: number
  backoff?: Partial<BackoffOptions>
  /** Jitter source, for tests. */
  random?: () => number
  /**
   * The REST client's mapper, which explains every failure (`toXoAppError` with the instance's
   * context, as `connect.ts` passes it). By default `toXoAppError` naming the base URL's host,
   * signed in with a token: the stream has no error table of its own.
   */
  toAppError?: (err: unknown) => AppError
  log?: (message: string) => void
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 }

/**
 * The client's timeouts for a stream (`transport.ts`): a limit on the wait for headers, none on
 * the body (silence is the ping watchdog's job). The connect timeout is undici's default, 10 s,
 * as the client's.
 */
const TIMEOUTS = { ...DEFAULT_TIMEOUTS.stream, idleMs: 0 }

/**
 * XO destroys a subscriber whose unsent data exceeds `rest-api.maxRamAllocatedPerSseClient`
 * (`Subscriber` in `dist/events/event.class.mjs`), so no single event comes close to this.
 */
const MAX_EVENT_CHARS = 20 * 1024 * 1024

/**
 * The codes (of the client's table, `errors.ts`) that reconnecting cannot fix: the stream stops
 * and waits for `reconnectNow()`. Every other failure, `cancelled` included (undici's
 * `UND_ERR_CLOSED`), is a drop: the stream reconnects.
 */
const GIVE_UP: ReadonlySet<ErrorCode> = new Set([
  'auth-invalid',
  'auth-expired',
  'forbidden',
  'tls-untrusted',
  'tls-changed',
  'tls-expired',
  'tls-hostname',
  'not-xo',
])

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with "equal jitter"
 * so that many clients cut at once (XO restart) do not come back in the same millisecond.
 */
export function backoffDelay(
  attempt: number,
  { initialMs, maxMs, factor }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * factor ** attempt)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/**
 * XO's live event stream (`GET /events`, docs/xo-rest-api.md#events) for one instance: subscribes
 * to XO types, delivers add/update/remove, and survives drops by reconnecting with backoff,
 * subscribing again on the new subscriber id and asking the caller to resync. Failures are
 * explained by the REST client's mapper; the stream only decides whether to reconnect.
 */
export class XoEventStream {
  readonly #baseUrl: string
  /** `host[:port]` of the XO, as the client's messages name it. */
  readonly #host: string
  readonly #options: XoEventStreamOptions
  readonly #explain: (err: unknown) => AppError
  readonly #backoff: BackoffOptions
  readonly #pingMs: number
  readonly #subscriptions = new Map<XoListenerType, string[] | '*'>()
  readonly #eventListeners = new Set<(event: XoObjectEvent) => void>()
  readonly #stateListeners = new Set<(status: EventStreamStatus) => void>()
  readonly #closed = new AbortController()
  #status: EventStreamStatus = { state: 'stopped' }
  #running: Promise<void> | undefined
  #connection: AbortController | undefined
  #subscriberId: string | undefined
  #wake: (() => void) | undefined
  #everLive = false

  constructor(options: XoEventStreamOptions) {
    this.#options = options
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#host = new URL(this.#baseUrl).host
    const ctx = { host: this.#host, credentials: 'token' } as const
    const explain = options.toAppError ?? ((err: unknown) => toXoAppError(err, ctx))
    // undici's own timeouts become the client's `XoTimeoutError`, as the transport raises them.
    this.#explain = (err) => explain(explainTimeout(err, TIMEOUTS, DEFAULT_TIMEOUTS.connectMs))
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff }
    this.#pingMs = options.pingIntervalMs ?? 30_000
    if (options.signal?.aborted) this.#closed.abort()
    else options.signal?.addEventListener('abort', () => void this.close(), { once: true })
  }

  get status(): EventStreamStatus {
    return this.#status
  }

  /** The current connection's id from `init`, while connected. */
  get subscriberId(): string | undefined {
    return this.#subscriberId
  }

  /** Listens to object changes; returns the unsubscribe function. */
  onEvent(listener: (event: XoObjectEvent) => void): () => void {
    this.#eventListeners.add(listener)
    return () => this.#eventListeners.delete(listener)
  }

  /** Listens to state changes; returns the unsubscribe function. */
  onState(listener: (status: EventStreamStatus) => void): () => void {
    this.#stateListeners.add(listener)
    return () => this.#stateListeners.delete(listener)
  }

  /** Starts connecting in the background. Does nothing when already running or closed. */
  start(): void {
    if (this.#closed.signal.aborted || this.#running) return
    this.#running = this.#loop().finally(() => (this.#running = undefined))
  }

  /** Resolves when the stream is (or next becomes) live; rejects when it stops first. */
  whenLive(signal?: AbortSignal): Promise<void> {
    if (this.#status.state === 'live') return Promise.resolve()
    if (signal?.aborted) return Promise.reject(signal.reason)
    // Stopped for good, or on an error that waits for `reconnectNow()`: nothing more will come.
    if (this.#status.state === 'stopped' && (this.#closed.signal.aborted || this.#status.error)) {
      return Promise.reject(new AppFailure(...describeStopped(this.#status.error)))
    }
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        off()
        signal?.removeEventListener('abort', onAbort)
      }
      const onAbort = (): void => {
        done()
        reject(signal?.reason)
      }
      const off = this.onState((s) => {
        if (s.state === 'live') {
          done()
          resolve()
        } else if (s.state === 'stopped') {
          done()
          reject(new AppFailure(...describeStopped(s.error)))
        }
      })
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /**
   * Subscribes to an XO type with a field list (`'*'` for whole objects). Kept for every later
   * connection; sent at once when connected. `id` is always added: XO sends only the subscribed
   * fields (`XoListener` in `dist/events/event.class.mjs`), and without it a `remove` cannot say
   * which object went away. Throws the failure as the client's mapper explains it.
   */
  async subscribe(type: XoListenerType, fields: readonly string[] | '*'): Promise<void> {
    const list = fields === '*' ? '*' : [...new Set(['id', ...fields])]
    this.#subscriptions.set(type, list)
    const id = this.#subscriberId
    const connection = this.#connection
    if (!id || !connection) return
    try {
      await this.#postSubscription(id, type, list, connection.signal)
    } catch (err) {
      throw this.#failure(err)
    }
  }

  /**
   * Stops following an XO type: `DELETE /events/{id}/subscriptions/{subscriptionId}`, which
   * answers 204 even when not subscribed (`removeListenerFor` in `dist/events/event.service.mjs`).
   */
  async unsubscribe(type: XoListenerType): Promise<void> {
    this.#subscriptions.delete(type)
    const id = this.#subscriberId
    const connection = this.#connection
    if (!id || !connection) return
    try {
      const res = await request(
        `${this.#baseUrl}/events/${encodeURIComponent(id)}/subscriptions/${encodeURIComponent(type)}`,
        this.#requestOptions('DELETE', connection.signal),
      )
      await expectSuccess(res)
    } catch (err) {
      throw this.#failure(err)
    }
  }

  /**
   * Reconnects now, skipping any backoff wait (the network came back, or the token was renewed).
   * Restarts a stream that stopped on an error; does nothing once closed.
   */
  reconnectNow(): void {
    if (this.#closed.signal.aborted) return
    if (!this.#running) return this.start()
    if (this.#wake) return this.#wake()
    this.#connection?.abort(
      new AppFailure('unreachable', `Reconnecting to ${this.#host}.`, 'Wait a moment.', true),
    )
  }

  /** Stops for good: aborts the connection (releasing its socket) and any pending retry. */
  async close(): Promise<void> {
    if (!this.#closed.signal.aborted) this.#closed.abort()
    this.#wake?.()
    await this.#running
    if (this.#status.state !== 'stopped' || this.#status.error)
      this.#setStatus({ state: 'stopped' })
  }

  async #loop(): Promise<void> {
    let attempt = 0
    this.#setStatus({ state: this.#everLive ? 'reconnecting' : 'connecting' })
    while (!this.#closed.signal.aborted) {
      let failure: unknown
      try {
        await this.#connectOnce()
      } catch (err) {
        failure = err
      }
      if (this.#closed.signal.aborted) break
      const error = this.#explain(failure)
      if (GIVE_UP.has(error.code)) {
        this.#log(`XO event stream stopped: ${error.message}`)
        this.#setStatus({ state: 'stopped', error })
        return
      }
      // A connection that went live earned a fresh start: the next drop retries quickly again.
      if (this.#status.state === 'live') attempt = 0
      const delay = backoffDelay(attempt++, this.#backoff, this.#options.random)
      this.#log(`XO event stream dropped (${error.message}); retrying in ${delay} ms`)
      this.#setStatus({ state: 'reconnecting', error, retryAt: Date.now() + delay })
      await this.#sleep(delay)
    }
  }

  /** One connection, from request to drop. Always ends by throwing why it ended. */
  async #connectOnce(): Promise<never> {
    const connection = new AbortController()
    this.#connection = connection
    const signal = AbortSignal.any([this.#closed.signal, connection.signal])
    // The watchdog covers connecting, the wait for `init` and the gaps between XO's pings (every
    // 30 s, `PingListener` in `dist/events/event.class.mjs`).
    const watchdog = setTimeout(
      () =>
        connection.abort(
          new AppFailure(
            'timeout',
            `${this.#host} stopped sending live updates.`,
            'XO Desk reconnects by itself; check the network if it keeps happening.',
            true,
          ),
        ),
      this.#pingMs * 2,
    )
    try {
      const res = await request(`${this.#baseUrl}/events`, {
        ...this.#requestOptions('GET', signal, { accept: 'text/event-stream' }),
        bodyTimeout: TIMEOUTS.idleMs, // silence is judged by the ping watchdog, not by undici
      })
      if (res.statusCode < 200 || res.statusCode >= 300) await expectSuccess(res)
      const type = String(res.headers['content-type'] ?? '')
      if (!type.startsWith('text/event-stream')) {
        await res.body.dump()
        throw notAnEventStream(this.#host)
      }
      let initialised = false
      const parser = createParser({
        maxBufferSize: MAX_EVENT_CHARS,
        onEvent: (message) => {
          if (message.event === 'init') {
            if (initialised) return this.#log('XO event stream: ignored a second init')
            initialised = true
            this.#onInit(message, signal).catch((err: unknown) => connection.abort(err))
          } else if (message.event === 'ping') {
            // Only proves the stream is alive; the watchdog was already refreshed by the bytes.
          } else this.#dispatch(message)
        },
        onError: (err) => {
          if (err.type !== 'max-buffer-size-exceeded')
            return this.#log(`XO event stream: ${err.message}`)
          connection.abort(
            new AppFailure(
              'xo-failed',
              `${this.#host} sent a live update larger than ${MAX_EVENT_CHARS / 1024 / 1024} MiB, more than XO Desk reads.`,
              'XO Desk reconnects by itself; if it keeps happening, report it.',
              true,
            ),
          )
        },
      })
      const decoder = new TextDecoder()
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        watchdog.refresh()
        parser.feed(decoder.decode(chunk, { stream: true }))
      }
      throw new AppFailure(
        'unreachable',
        `${this.#host} closed the live event stream.`,
        'XO Desk reconnects by itself.',
        true,
      )
    } catch (err) {
      // Our own abort reasons (silence, failed subscription) say more than undici's AbortError.
      if (connection.signal.aborted) throw connection.signal.reason
      throw err
    } finally {
      clearTimeout(watchdog)
      connection.abort() // destroys the response body, so the socket is released
      this.#connection = undefined
      this.#subscriberId = undefined
    }
  }

  async #onInit(message: EventSourceMessage, signal: AbortSignal): Promise<void> {
    const id = parseSubscriberId(message.data, this.#host)
    this.#subscriberId = id
    // Subscriptions died with the previous subscriber (docs/xo-rest-api.md#events): make them
    // again on this id.
    await Promise.all(
      [...this.#subscriptions].map(([type, fields]) =>
        this.#postSubscription(id, type, fields, signal),
      ),
    )
    const reconnect = this.#everLive
    // Nothing is replayed (docs/xo-rest-api.md#events), so whatever changed while we were away is
    // only seen by re-reading.
    await this.#options.resync?.(signal, { reconnect })
    signal.throwIfAborted()
    this.#everLive = true
    this.#setStatus({ state: 'live' })
  }

  async #postSubscription(
    id: string,
    type: XoListenerType,
    fields: string[] | '*',
    signal: AbortSignal,
  ): Promise<void> {
    const res = await request(`${this.#baseUrl}/events/${encodeURIComponent(id)}/subscriptions`, {
      ...this.#requestOptions('POST', signal, { 'content-type': 'application/json' }),
      body: JSON.stringify({ collection: type, fields }),
    })
    // A 404 means the subscriber (our connection) is already gone (`getSubscriber` in
    // `dist/events/event.class.mjs`): the loop reconnects.
    await expectSuccess(res)
  }

  #requestOptions(
    method: 'GET' | 'POST' | 'DELETE',
    signal: AbortSignal,
    extraHeaders: Record<string, string> = {},
  ): {
    method: 'GET' | 'POST' | 'DELETE'
    headers: Record<string, string>
    signal: AbortSignal
    headersTimeout: number
    dispatcher?: Dispatcher
  } {
    return {
      method,
      headers: { ...this.#options.headers(), ...extraHeaders },
      signal,
      headersTimeout: TIMEOUTS.headersMs,
      ...(this.#options.dispatcher ? { dispatcher: this.#options.dispatcher } : {}),
    }
  }

  #dispatch(message: EventSourceMessage): void {
    const kind = message.event
    if (kind !== 'add' && kind !== 'update' && kind !== 'remove') return
    let data: unknown
    try {
      data = JSON.parse(message.data)
    } catch {
      return this.#log(`XO event stream: unreadable ${kind} event`)
    }
    if (typeof data !== 'object' || data === null) return
    const { $subscription: type, ...object } = data as Record<string, unknown>
    // Without an id a change cannot be applied to anything.
    if (typeof type !== 'string' || typeof object['id'] !== 'string') {
      return this.#log(`XO event stream: ${kind} event without id or subscription`)
    }
    const event: XoObjectEvent = {
      kind,
      type: type as XoListenerType,
      object: object as XoEventObject,
    }
    for (const listener of this.#eventListeners) {
      try {
        listener(event)
      } catch (err) {
        this.#log(`XO event listener failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }

  #setStatus(status: EventStreamStatus): void {
    this.#status = status
    for (const listener of this.#stateListeners) {
      try {
        listener(status)
      } catch (err) {
        this.#log(`XO stream state listener failed: ${err instanceof Error ? err.message : ''}`)
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wake = done
    })
  }

  /** A failure thrown to a caller, explained by the client's mapper. */
  #failure(err: unknown): AppFailure {
    const e = this.#explain(err)
    return new AppFailure(e.code, e.message, e.action, e.retryable)
  }

  #log(message: string): void {
    this.#options.log?.(message)
  }
}

function parseSubscriberId(data: string, host: string): string {
  try {
    const parsed: unknown = JSON.parse(data)
    if (typeof parsed === 'object' && parsed !== null) {
      const id = (parsed as Record<string, unknown>)['id']
      if (typeof id === 'string' && id !== '') return id
    }
  } catch {
    // handled below
  }
  // XO's first event is `init` with the subscriber id (`GET /events`, dist/events/event.service.mjs).
  return notAnEventStream(host)
}

/** A 2xx answer that is not XO's event stream: no `text/event-stream`, or no `init` id. */
function notAnEventStream(host: string): never {
  throw new AppFailure(
    'not-xo',
    `${host} did not answer GET /events with Xen Orchestra's live event stream.`,
    'Make sure this server runs Xen Orchestra with its REST API 0.39 or later.',
  )
}

/**
 * Reads a non-2xx answer as the client's raw failure (status, headers and up to 64 KiB of body,
 * as `transport.ts` builds it), for the mapper to explain; drains a 2xx one.
 */
async function expectSuccess(res: Dispatcher.ResponseData): Promise<void> {
  if (res.statusCode >= 200 && res.statusCode < 300) return res.body.dump()
  const text = await readTextPrefix(res.body).catch(() => '')
  throw new XoResponseError(res.statusCode, res.headers, text)
}

function describeStopped(error: AppError | undefined): [ErrorCode, string, string, boolean] {
  return error
    ? [error.code, error.message, error.action, error.retryable]
    : [
        'cancelled',
        'The live connection was closed.',
        'Nothing to do: it was closed with its instance.',
        true,
      ]
}
