import type { AppError, ErrorCode } from '@contract'
import type { LiveState } from '@contract/inventory'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { request, type Dispatcher } from 'undici'
import { AppFailure, toAppError as toInternalAppError } from '../app-failure'
import type { components } from './generated/xo-rest'

/** An SSE subscription name: an XO type such as `VM`, `host`, `VM-snapshot` (GUIDE §8.2). */
export type XoListenerType = components['schemas']['XoListenerType']

export type XoEventKind = 'add' | 'update' | 'remove'

/** An XO object as an event carries it: the subscribed fields, `$subscription` stripped. */
export type XoEventObject = { id: string } & Record<string, unknown>

/** One object change received on the stream. */
export interface XoObjectEvent {
  kind: XoEventKind
  type: XoListenerType
  /** For `remove`: the last known state of the object that went away (GUIDE §8.3). */
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
   * XO replays nothing on reconnect (GUIDE §8.4), so this is where the caller re-reads what it
   * caches. The state turns `live` when it resolves; if it throws, the stream reconnects.
   */
  resync?: (signal: AbortSignal, info: ResyncInfo) => Promise<void> | void
  /** Aborting it closes the stream for good. */
  signal?: AbortSignal
  /** XO pings every 30 s (GUIDE §8.1); silence for twice this long counts as a drop. */
  pingIntervalMs?: number
  backoff?: Partial<BackoffOptions>
  /** Jitter source, for tests. */
  random?: () => number
  /** Maps any failure to a readable error (the REST client's mapper); a built-in one otherwise. */
  toAppError?: (err: unknown) => AppError
  log?: (message: string) => void
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 }

/** XO drops a client whose buffer exceeds 20 MiB (GUIDE §8.4); no single event comes close. */
const MAX_EVENT_CHARS = 20 * 1024 * 1024

/** Failures that reconnecting cannot fix: the stream stops and waits for `reconnectNow()`. */
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
 * XO's live event stream (`GET /events`, GUIDE §8) for one instance: subscribes to XO types,
 * delivers add/update/remove, and survives drops by reconnecting with backoff, subscribing again
 * on the new subscriber id and asking the caller to resync.
 */
export class XoEventStream {
  readonly #baseUrl: string
  readonly #options: XoEventStreamOptions
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
   * connection; sent at once when connected. `id` is always added: without it a `remove` cannot
   * say which object went away (GUIDE §8.3).
   */
  async subscribe(type: XoListenerType, fields: readonly string[] | '*'): Promise<void> {
    const list = fields === '*' ? '*' : [...new Set(['id', ...fields])]
    this.#subscriptions.set(type, list)
    const id = this.#subscriberId
    const connection = this.#connection
    if (id && connection) await this.#postSubscription(id, type, list, connection.signal)
  }

  /** Stops following an XO type (GUIDE §8.2: DELETE answers 204 even when not subscribed). */
  async unsubscribe(type: XoListenerType): Promise<void> {
    this.#subscriptions.delete(type)
    const id = this.#subscriberId
    const connection = this.#connection
    if (!id || !connection) return
    const res = await request(
      `${this.#baseUrl}/events/${encodeURIComponent(id)}/subscriptions/${encodeURIComponent(type)}`,
      this.#requestOptions('DELETE', connection.signal),
    )
    await res.body.dump()
    if (res.statusCode !== 204) throw httpFailure(res.statusCode, `unsubscribe from ${type}`)
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
      new AppFailure('unreachable', 'Reconnecting to XO.', 'Wait a moment.', true),
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
      const error = this.#toAppError(failure)
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
    // The watchdog covers connecting, the wait for `init` and the gaps between pings (GUIDE §8.1).
    const watchdog = setTimeout(
      () =>
        connection.abort(
          new AppFailure(
            'timeout',
            'XO stopped sending live updates.',
            'XO Desk reconnects by itself; check the network if it keeps happening.',
            true,
          ),
        ),
      this.#pingMs * 2,
    )
    try {
      const res = await request(`${this.#baseUrl}/events`, {
        ...this.#requestOptions('GET', signal, { accept: 'text/event-stream' }),
        bodyTimeout: 0, // silence is judged by the ping watchdog, not by undici
      })
      if (res.statusCode !== 200) {
        await res.body.dump()
        throw httpFailure(res.statusCode, 'open the live event stream')
      }
      const type = String(res.headers['content-type'] ?? '')
      if (!type.startsWith('text/event-stream')) {
        await res.body.dump()
        throw new AppFailure(
          'not-xo',
          'The server did not answer like Xen Orchestra (no event stream).',
          'Check that the address points to a Xen Orchestra server.',
        )
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
          if (err.type === 'max-buffer-size-exceeded') connection.abort(err)
          else this.#log(`XO event stream: ${err.message}`)
        },
      })
      const decoder = new TextDecoder()
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        watchdog.refresh()
        parser.feed(decoder.decode(chunk, { stream: true }))
      }
      throw new AppFailure(
        'unreachable',
        'XO closed the live event stream.',
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
    const id = parseSubscriberId(message.data)
    this.#subscriberId = id
    // GUIDE §8.4: subscriptions died with the previous connection; make them again on this id.
    await Promise.all(
      [...this.#subscriptions].map(([type, fields]) =>
        this.#postSubscription(id, type, fields, signal),
      ),
    )
    const reconnect = this.#everLive
    // GUIDE §8.4: nothing is replayed, so whatever changed while we were away is only seen by re-reading.
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
    await res.body.dump()
    // 404 here means the subscriber (our connection) is already gone (GUIDE §8.2): reconnect.
    if (res.statusCode !== 201) throw httpFailure(res.statusCode, `subscribe to ${type}`)
  }

  #requestOptions(
    method: 'GET' | 'POST' | 'DELETE',
    signal: AbortSignal,
    extraHeaders: Record<string, string> = {},
  ): {
    method: 'GET' | 'POST' | 'DELETE'
    headers: Record<string, string>
    signal: AbortSignal
    dispatcher?: Dispatcher
  } {
    return {
      method,
      headers: { ...this.#options.headers(), ...extraHeaders },
      signal,
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
    // GUIDE §13.17: without an id a change cannot be applied to anything.
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

  #toAppError(err: unknown): AppError {
    if (this.#options.toAppError) return this.#options.toAppError(err)
    return streamAppError(err, (m) => this.#log(m))
  }

  #log(message: string): void {
    this.#options.log?.(message)
  }
}

function parseSubscriberId(data: string): string {
  try {
    const parsed: unknown = JSON.parse(data)
    if (typeof parsed === 'object' && parsed !== null) {
      const id = (parsed as Record<string, unknown>)['id']
      if (typeof id === 'string' && id !== '') return id
    }
  } catch {
    // handled below
  }
  throw new AppFailure(
    'not-xo',
    'The server did not answer like Xen Orchestra (bad event stream start).',
    'Check that the address points to a Xen Orchestra server.',
  )
}

function describeStopped(error: AppError | undefined): [ErrorCode, string, string, boolean] {
  return error
    ? [error.code, error.message, error.action, error.retryable]
    : ['cancelled', 'The live connection was closed.', 'Open the instance again.', true]
}

/** The readable error for an HTTP status met while opening or subscribing (GUIDE §2.3, §7). */
function httpFailure(status: number, what: string): AppFailure {
  if (status === 401) {
    return new AppFailure(
      'auth-invalid',
      'XO did not accept the saved sign-in.',
      'Sign in to this XO instance again.',
    )
  }
  if (status === 403) {
    return new AppFailure(
      'forbidden',
      'Your XO account may not follow live updates.',
      'Ask an XO administrator for access.',
    )
  }
  if (status === 404 && what.startsWith('open')) {
    return new AppFailure(
      'not-xo',
      'This server has no Xen Orchestra event stream.',
      'Check that the address points to a Xen Orchestra server (REST API 0.39 or later).',
    )
  }
  return new AppFailure(
    status >= 500 ? 'xo-failed' : 'xo-rejected',
    `XO answered ${status} when asked to ${what}.`,
    'XO Desk retries by itself.',
    true,
  )
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * Built-in mapping, used when the REST client's mapper is not injected. Unknown failures still
 * count as retryable for the stream: reconnecting is always the best thing a live view can do.
 */
export function streamAppError(err: unknown, log: (message: string) => void = () => {}): AppError {
  if (err instanceof AppFailure) return err.appError
  if (typeof err === 'object' && err !== null && 'appError' in err) {
    return (err as { appError: AppError }).appError
  }
  const code = errorCode(err)
  if (code && TLS_CODES.has(code)) {
    return {
      code: code === 'CERT_HAS_EXPIRED' ? 'tls-expired' : 'tls-untrusted',
      message: 'The XO server certificate is not trusted.',
      action: 'Check the certificate in the instance settings.',
      retryable: false,
    }
  }
  if (code && NETWORK_CODES.has(code)) {
    return {
      code: 'unreachable',
      message: 'Lost the connection to XO.',
      action: 'XO Desk reconnects by itself; check the network if it keeps happening.',
      retryable: true,
    }
  }
  return { ...toInternalAppError(err, log), retryable: true }
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    if (typeof e !== 'object') return undefined
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}
