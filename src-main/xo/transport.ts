import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { Pool, type Dispatcher } from 'undici'
import { NotSignedInError, XoResponseError, XoTimeoutError } from './failures'
import { discard, MAX_ERROR_BODY_BYTES, readTextPrefix } from './response-body'
import {
  backoffMs,
  errorCode,
  isIdempotent,
  isTransientNetworkError,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  sleep,
  type RetryPolicy,
} from './retry'
import { connectorFor, type TrustPolicy } from '../tls/trust'

/**
 * What a request is, for its timeouts: quick reads, writes, synchronous actions (`?sync=true`: XO
 * answers when the action is over), endless streams and long-polls (`GET /tasks/{id}?wait=true`).
 */
export type RequestKind = 'read' | 'write' | 'sync-action' | 'stream' | 'long-poll'

export interface KindTimeouts {
  /** From sending to the status line and headers (0 = no limit). */
  headersMs: number
  /** Longest silence between two body chunks: the idle timeout (0 = no limit). */
  idleMs: number
  /** Whole request, body included; absent for streams and long-polls, which may last for hours. */
  totalMs?: number
}

export type Timeouts = Record<RequestKind, KindTimeouts> & { connectMs: number }

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  read: { headersMs: 15_000, idleMs: 30_000, totalMs: 60_000 },
  write: { headersMs: 30_000, idleMs: 30_000, totalMs: 90_000 },
  'sync-action': { headersMs: 15 * 60_000, idleMs: 60_000, totalMs: 16 * 60_000 },
  stream: { headersMs: 30_000, idleMs: 60_000 },
  // A long-poll answers only when the task ends: a headers timeout just means "poll again". Kept
  // under the 60 s read timeout of common reverse proxies (nginx), which would answer 504.
  'long-poll': { headersMs: 50_000, idleMs: 60_000 },
}

/** A partial override of the timeouts, per kind. */
export type TimeoutOverrides = { connectMs?: number } & {
  [K in RequestKind]?: Partial<KindTimeouts>
}

export function mergeTimeouts(overrides: TimeoutOverrides = {}): Timeouts {
  const merged = {
    ...DEFAULT_TIMEOUTS,
    connectMs: overrides.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
  }
  for (const kind of ['read', 'write', 'sync-action', 'stream', 'long-poll'] as const)
    merged[kind] = { ...DEFAULT_TIMEOUTS[kind], ...overrides[kind] }
  return merged
}

export type Credentials =
  { kind: 'token' } | { kind: 'basic'; username: string; password: string } | { kind: 'none' }

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestSpec {
  method: HttpMethod
  /** Below the API base, starting with `/`: `/vms/…`. */
  path: string
  query?: Record<string, string | undefined>
  /** A JSON body; absent means no body at all. */
  json?: unknown
  /**
   * A streamed `application/octet-stream` body of a known length (imports need `Content-Length`,
   * docs/xo-rest-api.md#exports-and-imports). Never retried: the stream is read once. No total
   * limit applies, only the kind's headers and idle timeouts.
   */
  /** Without `length`, the body goes chunked (an XVA import reads to the end of the stream). */
  upload?: { body: Readable; length?: number }
  kind: RequestKind
  credentials: Credentials
  /** Statuses the caller handles; any other is an `XoResponseError`. Default: every 2xx. */
  accept?: readonly number[]
  /** `Accept` header. */
  mediaType?: string
}

export interface XoResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Dispatcher.ResponseData['body']
  /** 1 for the first try; more when a retry got this answer. */
  attempt: number
}

export interface TransportOptions {
  token: () => string | undefined
  connect?: Pool.Options['connect']
  /** How the server's certificate is trusted; replaces `connect` when given. */
  trust?: TrustPolicy
  userAgent: string
  timeouts: Timeouts
  retry: RetryPolicy
  connections: number
}

/** Converts undici's own timeouts into `XoTimeoutError`s that say which wait ran out and for how long. */
export function explainTimeout(err: unknown, t: KindTimeouts, connectMs: number): unknown {
  switch (errorCode(err)) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new XoTimeoutError('headers', t.headersMs)
    case 'UND_ERR_BODY_TIMEOUT':
      return new XoTimeoutError('idle', t.idleMs)
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return new XoTimeoutError('connect', connectMs)
    default:
      return err
  }
}

/** Aborts after `ms` with an `XoTimeoutError('total')`, unless cleared. */
function deadline(ms: number | undefined): { signal?: AbortSignal; clear(): void } {
  if (!ms) return { clear: () => undefined }
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new XoTimeoutError('total', ms)), ms)
  return { signal: controller.signal, clear: () => clearTimeout(timer) }
}

/**
 * One keep-alive connection pool to one XO, and the rules every request follows: credentials
 * (cookie only, docs/xo-rest-api.md#authentication), timeouts per kind, bounded retries of
 * idempotent requests, and cancellation that releases the socket.
 */
export class Transport {
  readonly pool: Pool
  readonly #options: TransportOptions

  constructor(
    readonly base: URL,
    options: TransportOptions,
  ) {
    this.#options = options
    const connect = options.trust
      ? connectorFor(options.trust, options.timeouts.connectMs)
      : typeof options.connect === 'function'
        ? options.connect
        : { timeout: options.timeouts.connectMs, ...options.connect }
    this.pool = new Pool(base.origin, { connections: options.connections, connect })
  }

  get timeouts(): Timeouts {
    return this.#options.timeouts
  }

  #headers(spec: RequestSpec): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': this.#options.userAgent,
      accept: spec.mediaType ?? 'application/json',
    }
    if (spec.credentials.kind === 'token') {
      const token = this.#options.token()
      if (token === undefined || token === '') throw new NotSignedInError()
      headers['cookie'] = `authenticationToken=${encodeURIComponent(token)}`
    } else if (spec.credentials.kind === 'basic') {
      // Basic and a cookie together are a 400 (@xen-orchestra/rest-api 0.39.0,
      // dist/middlewares/authentication.middleware.mjs): this request carries no cookie.
      const { username, password } = spec.credentials
      headers['authorization'] =
        `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    if (spec.json !== undefined) headers['content-type'] = 'application/json'
    if (spec.upload) {
      headers['content-type'] = 'application/octet-stream'
      if (spec.upload.length !== undefined) headers['content-length'] = String(spec.upload.length)
    }
    return headers
  }

  #path(spec: RequestSpec): string {
    const query = new URLSearchParams()
    for (const [key, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) query.set(key, value)
    const search = query.size > 0 ? `?${query.toString()}` : ''
    return `${this.base.pathname}${spec.path}${search}`
  }

  /** How long to wait before trying again after this answer, or undefined to not retry. */
  #retryDelay(status: number, headers: IncomingHttpHeaders, attempt: number): number | undefined {
    if (!RETRYABLE_STATUSES.has(status)) return undefined
    const policy = this.#options.retry
    const retryAfter = parseRetryAfter(headers['retry-after'])
    if (retryAfter === undefined) return backoffMs(policy, attempt)
    return retryAfter <= policy.maxRetryAfterMs ? retryAfter : undefined
  }

  /**
   * Sends the request and hands the accepted answer to `consume`, within the kind's timeouts.
   * Retries idempotent requests on 429/502/503/504 and on failures before any answer byte; a
   * non-accepted status becomes an `XoResponseError`. The body is destroyed if `consume` throws,
   * which closes the socket instead of leaving it half read.
   */
  async exchange<T>(
    spec: RequestSpec,
    signal: AbortSignal,
    consume: (res: XoResponse, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const kindTimeouts = this.#options.timeouts[spec.kind]
    const t: KindTimeouts = spec.upload
      ? { headersMs: kindTimeouts.headersMs, idleMs: kindTimeouts.idleMs }
      : kindTimeouts
    const { connectMs } = this.#options.timeouts
    const policy = this.#options.retry
    const retryable = isIdempotent(spec.method) && spec.upload === undefined
    const json = spec.json === undefined ? undefined : JSON.stringify(spec.json)
    const body = spec.upload?.body ?? json
    for (let attempt = 1; ; attempt++) {
      const canRetry = retryable && attempt < policy.attempts
      const limit = deadline(t.totalMs)
      const combined = limit.signal ? AbortSignal.any([signal, limit.signal]) : signal
      let data: Dispatcher.ResponseData
      try {
        data = await this.pool.request({
          method: spec.method,
          path: this.#path(spec),
          headers: this.#headers(spec),
          body,
          signal: combined,
          headersTimeout: t.headersMs,
          bodyTimeout: t.idleMs,
        })
      } catch (err) {
        limit.clear()
        if (canRetry && !signal.aborted && isTransientNetworkError(err)) {
          await (policy.wait ?? sleep)(backoffMs(policy, attempt), signal)
          continue
        }
        throw explainTimeout(err, t, connectMs)
      }
      // A body nobody reads yet (a watch opened before the task is read) may still fail: an
      // 'error' event without a listener would be an uncaught exception in main.
      data.body.on('error', () => undefined)
      const res: XoResponse = {
        status: data.statusCode,
        headers: data.headers,
        body: data.body,
        attempt,
      }
      try {
        const accepted = spec.accept
          ? spec.accept.includes(res.status)
          : res.status >= 200 && res.status < 300
        if (!accepted) {
          const delay = canRetry ? this.#retryDelay(res.status, res.headers, attempt) : undefined
          if (delay !== undefined) {
            await res.body.dump({ limit: MAX_ERROR_BODY_BYTES }).catch(() => undefined)
            limit.clear()
            await (policy.wait ?? sleep)(delay, signal)
            continue
          }
          const text = await readTextPrefix(res.body).catch(() => '')
          throw new XoResponseError(res.status, res.headers, text)
        }
        return await consume(res, combined)
      } catch (err) {
        discard(res.body)
        throw explainTimeout(err, t, connectMs)
      } finally {
        limit.clear()
      }
    }
  }

  stats(): Pool.PoolStats {
    return this.pool.stats
  }

  close(): Promise<void> {
    return this.pool.close()
  }

  destroy(): Promise<void> {
    return this.pool.destroy()
  }
}
