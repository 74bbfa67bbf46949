import { Transform, type TransformCallback } from 'node:stream'

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

  /** A stage that holds each chunk as long as the shared limit asks; a pass-through without one. */
  throttle(): Transform {
    return new Transform({
      highWaterMark: 1024 * 1024,
      transform: (chunk: Buffer, _enc, done: TransformCallback) => {
        const wait = this.take(chunk.length)
        if (wait === 0) done(null, chunk)
        else setTimeout(() => done(null, chunk), wait)
      },
    })
  }
}
