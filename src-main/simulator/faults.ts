import type { ServerResponse } from 'node:http'

/**
 * Fault injection: make the simulator misbehave like a real network or a busy XO, from tests
 * (`sim.faults.add(...)`) or the CLI (`--fault 'GET /vms/*.xva:drop-after=10MB'`).
 */
export type FaultKind =
  /** Wait before answering. */
  | { kind: 'latency'; ms: number }
  /** Send N bytes of the response body, then cut the connection (server gone mid-transfer). */
  | { kind: 'drop-after'; bytes: number }
  /** Send N bytes, then send nothing more while keeping the connection open. */
  | { kind: 'stall'; bytes: number }
  /** Answer this status with an XO-shaped body instead of the real answer. */
  | { kind: 'status'; status: number; message?: string }
  /** 429 Too Many Requests with Retry-After (XO itself never sends it; proxies in front of it do). */
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  /** Send the body at this many bytes per second. */
  | { kind: 'throttle'; bytesPerSecond: number }
  /** The caller's token expires just before this request is authenticated. */
  | { kind: 'expire-token' }

export interface FaultRule {
  /** HTTP method, or undefined for any. */
  method?: string
  /** Path below /rest/v0, `*` matching any run of characters except `/`, `**` any run. */
  path: string
  fault: FaultKind
  /** How many requests it hits before it disappears; undefined for every request. */
  times?: number
}

function globToRegex(glob: string): RegExp {
  const source = glob
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('')
  return new RegExp(`^${source}/?$`, 'i')
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
}

function parseSize(text: string): number {
  const m = /^([\d.]+)\s*([a-z]*)$/i.exec(text.trim())
  const unit = m ? SIZE_UNITS[(m[2] ?? '').toUpperCase()] : undefined
  if (!m?.[1] || unit === undefined)
    throw new Error(`"${text}" is not a size (try 10MB, 512KiB or 1000)`)
  return Math.round(Number(m[1]) * unit)
}

/** Parses the CLI form: `[METHOD] /path/glob:kind[=value][,times=N]`. */
export function parseFaultSpec(spec: string): FaultRule {
  const m = /^(?:([A-Z]+)\s+)?(\/\S*?):([a-z-]+)(?:=([^,]+))?(?:,times=(\d+))?$/.exec(spec.trim())
  if (!m?.[2] || !m[3]) {
    throw new Error(
      `"${spec}" is not a fault; write it as 'GET /vms/*.xva:drop-after=10MB' (see docs/simulator.md)`,
    )
  }
  const [, method, path, kind, value = ''] = m
  const fault = ((): FaultKind => {
    switch (kind) {
      case 'latency':
        return { kind, ms: Number(value) || 1000 }
      case 'drop-after':
      case 'stall':
        return { kind, bytes: parseSize(value || '0') }
      case 'status':
        return { kind, status: Number(value) || 500 }
      case 'rate-limit':
        return { kind, retryAfterSeconds: Number(value) || 1 }
      case 'throttle':
        return { kind, bytesPerSecond: parseSize(value || '1MB') }
      case 'expire-token':
        return { kind }
      default:
        throw new Error(
          `unknown fault "${kind}": use latency, drop-after, stall, status, rate-limit, throttle or expire-token`,
        )
    }
  })()
  return { ...(method ? { method } : {}), path, fault, ...(m[5] ? { times: Number(m[5]) } : {}) }
}

interface ActiveRule extends FaultRule {
  regex: RegExp
}

export class Faults {
  #rules: ActiveRule[] = []

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule | string): () => void {
    const parsed = typeof rule === 'string' ? parseFaultSpec(rule) : rule
    const active = { ...parsed, regex: globToRegex(parsed.path) }
    this.#rules.push(active)
    return () => (this.#rules = this.#rules.filter((r) => r !== active))
  }

  /** Shorthand: the next matching request (only) gets this fault. */
  next(method: string, path: string, fault: FaultKind): void {
    this.add({ method, path, fault, times: 1 })
  }

  clear(): void {
    this.#rules = []
  }

  list(): FaultRule[] {
    return this.#rules.map(({ regex: _regex, ...rule }) => rule)
  }

  /** The faults that apply to this request; consumes their `times`. */
  take(method: string, path: string): FaultKind[] {
    const hits: FaultKind[] = []
    for (const rule of this.#rules) {
      if (rule.method && rule.method !== method) continue
      if (!rule.regex.test(path)) continue
      hits.push(rule.fault)
      if (rule.times !== undefined && --rule.times <= 0)
        this.#rules = this.#rules.filter((r) => r !== rule)
    }
    return hits
  }
}

/**
 * Applies the body-level faults to a response by wrapping its write/end: cut after N bytes, stall,
 * or pace the bytes. Backpressure is kept, so piped streams slow down instead of buffering.
 */
export function applyBodyFaults(res: ServerResponse, faults: FaultKind[]): void {
  const limit = faults.find((f) => f.kind === 'drop-after' || f.kind === 'stall')
  const throttle = faults.find((f) => f.kind === 'throttle')
  if (!limit && !throttle) return
  const write = res.write.bind(res) as (chunk: Buffer) => boolean
  const end = res.end.bind(res) as () => ServerResponse
  let sent = 0
  let stopped = false
  let queue = Promise.resolve()
  const rate = throttle?.kind === 'throttle' ? throttle.bytesPerSecond : 0

  const push = (chunk: Buffer): void => {
    if (stopped) return
    let data = chunk
    if (
      limit &&
      (limit.kind === 'drop-after' || limit.kind === 'stall') &&
      sent + data.length >= limit.bytes
    ) {
      data = data.subarray(0, Math.max(0, limit.bytes - sent))
      stopped = true
      if (data.length > 0) write(data)
      sent += data.length
      if (limit.kind === 'drop-after') setImmediate(() => res.socket?.destroy())
      return
    }
    sent += data.length
    write(data)
  }

  res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(
          String(chunk),
          typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
        )
    const done = typeof encoding === 'function' ? encoding : cb
    if (rate > 0) {
      queue = queue.then(async () => {
        for (let i = 0; i < buf.length && !stopped; i += Math.max(1, Math.floor(rate / 10))) {
          const slice = buf.subarray(i, i + Math.max(1, Math.floor(rate / 10)))
          push(slice)
          await new Promise((r) => setTimeout(r, (slice.length / rate) * 1000))
        }
      })
      void queue.then(() => {
        if (typeof done === 'function') done()
        res.emit('drain')
      })
      return false
    }
    push(buf)
    if (typeof done === 'function') done()
    return !stopped
  }) as typeof res.write

  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    if (chunk !== undefined && typeof chunk !== 'function')
      res.write(chunk as Buffer, encoding as BufferEncoding)
    void queue.then(() => {
      if (!stopped) end()
      const done = [chunk, encoding, cb].find((x) => typeof x === 'function')
      if (typeof done === 'function') done()
    })
    return res
  }) as typeof res.end
}
