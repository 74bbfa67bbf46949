/** How often and how patiently an idempotent request is tried again. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number
  /** Backoff base: attempt n waits a random time in [0, min(maxMs, baseMs·2^(n-1))] (full jitter). */
  baseMs: number
  maxMs: number
  /** A `Retry-After` longer than this is not waited for: the error is reported instead. */
  maxRetryAfterMs: number
  /** How to wait between attempts; tests record the delays instead of spending them. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseMs: 300,
  maxMs: 10_000,
  maxRetryAfterMs: 60_000,
}

/**
 * Retrying must not repeat an effect: only methods whose repetition is harmless are retried.
 * POST actions and PATCH never are (a 503 after XO started a VM must not start it twice).
 */
export function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE'
}

/** Statuses worth another try: rate limiting and gateways/XO briefly unavailable. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])

/** Failures that happen before any byte of the answer: the server never acted on the request. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET', // "other side closed", e.g. a keep-alive socket the server just dropped
])

/** The system or undici code of an error, looking into AggregateError (happy eyeballs) and causes. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const own = (err as { code?: unknown }).code
  if (typeof own === 'string') return own
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const code = errorCode(inner)
      if (code !== undefined) return code
    }
  }
  const cause = (err as { cause?: unknown }).cause
  return cause === err ? undefined : errorCode(cause)
}

export function isTransientNetworkError(err: unknown): boolean {
  const code = errorCode(err)
  return code !== undefined && TRANSIENT_CODES.has(code)
}

/** Full-jitter exponential backoff for attempt `attempt` (1 = the first retry). */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1)))
}

/** `Retry-After` as milliseconds to wait: delta-seconds or an HTTP date; undefined when unusable. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (text === undefined || text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Waits, unless the signal ends the wait first (then rejects with its reason). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
