import { Transform, type TransformCallback } from 'node:stream'

/** The most a throttled stream sends at once. */
const SLICE = 64 * 1024

/**
 * One limit shared by every running transfer: a token bucket in bytes per second. Each chunk takes
 * its size from the bucket; when the bucket is in debt, the stream waits until it is repaid, so
 * backpressure slows the socket (no byte is buffered beyond one chunk per stage).
 */
export class Bandwidth {
  #limit: number | undefined
  #tokens = 0
  #last = Date.now()

  constructor(limit?: number) {
    this.setLimit(limit)
  }

  get limit(): number | undefined {
    return this.#limit
  }

  /** Bytes per second for all transfers together; undefined or 0 lifts the limit. */
  setLimit(limit: number | undefined): void {
    this.#limit = limit && limit > 0 ? limit : undefined
    this.#tokens = 0
    this.#last = Date.now()
  }

  /** How long to wait before sending `n` more bytes (0 without a limit). */
  take(n: number): number {
    const limit = this.#limit
    if (limit === undefined) return 0
    const now = Date.now()
    // At most a quarter of a second saved up, so a pause is not followed by a burst.
    this.#tokens = Math.min(limit / 4, this.#tokens + ((now - this.#last) * limit) / 1000)
    this.#last = now
    this.#tokens -= n
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / limit
  }

  /**
   * A stage that holds each chunk as long as the shared limit asks; a pass-through without one.
   * `passed` counts what went through it: what really left, when it sits just before the socket.
   */
  throttle(passed?: (bytes: number) => void): Transform {
    // A small buffer: what the stages before it count as sent is at most this far ahead.
    const stream: Transform = new Transform({
      highWaterMark: SLICE,
      transform: (chunk: Buffer, _enc, done: TransformCallback) => {
        if (this.#limit === undefined) {
          passed?.(chunk.length)
          return done(null, chunk)
        }
        // Big chunks (1 MiB reads) go out in slices, so a low limit still moves every few
        // hundred milliseconds instead of in bursts seconds apart.
        let at = 0
        const next = (): void => {
          if (at >= chunk.length) return done()
          const slice = chunk.subarray(at, at + SLICE)
          at += slice.length
          const pass = (): void => {
            passed?.(slice.length)
            stream.push(slice)
            next()
          }
          const wait = this.take(slice.length)
          if (wait === 0) pass()
          else setTimeout(pass, wait)
        }
        next()
      },
    })
    return stream
  }
}
