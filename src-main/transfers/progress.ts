/** One progress report of a transfer. */
export interface TransferProgress {
  /** Bytes received in this attempt. */
  bytes: number
  /** Size announced by XO (`Content-Length`), when known. */
  total?: number
  /** Bytes per second, averaged over the last few seconds. */
  rate: number
  /** Seconds left at this rate, when the total is known and the rate is not zero. */
  secondsLeft?: number
  /** 1 for the first try; a retry starts the count over from 0 bytes. */
  attempt: number
  /** True on the last report of a complete attempt. */
  done: boolean
}

export interface ProgressMeterOptions {
  onProgress?: (progress: TransferProgress) => void
  /** Least time between two reports; default 250 ms (a few updates a second). */
  intervalMs?: number
  now?: () => number
}

/** How far back the rate looks. */
const RATE_WINDOW_MS = 3000

/**
 * Counts bytes and reports them at most every `intervalMs`: the rate over a sliding window of a
 * few seconds and the time left when the total is known. `start` begins an attempt (from zero).
 */
export class ProgressMeter {
  readonly #onProgress: ProgressMeterOptions['onProgress']
  readonly #intervalMs: number
  readonly #now: () => number
  #bytes = 0
  #total: number | undefined
  #attempt = 0
  #lastReport = -Infinity
  /** (time, bytes) samples inside the rate window, oldest first. */
  #samples: Array<[number, number]> = []

  constructor(options: ProgressMeterOptions = {}) {
    this.#onProgress = options.onProgress
    this.#intervalMs = options.intervalMs ?? 250
    this.#now = options.now ?? Date.now
  }

  get bytes(): number {
    return this.#bytes
  }

  /** Begins an attempt: the count starts over and a report of 0 bytes goes out at once. */
  start(attempt: number, total: number | undefined): void {
    this.#attempt = attempt
    this.#bytes = 0
    this.#total = total
    this.#samples = [[this.#now(), 0]]
    this.#report(false)
  }

  add(n: number): void {
    this.#bytes += n
    const now = this.#now()
    if (now - this.#lastReport >= this.#intervalMs) {
      this.#samples.push([now, this.#bytes])
      while (this.#samples.length > 2 && now - (this.#samples[1]?.[0] ?? now) >= RATE_WINDOW_MS)
        this.#samples.shift()
      this.#report(false)
    }
  }

  finish(): void {
    this.#samples.push([this.#now(), this.#bytes])
    this.#report(true)
  }

  #rate(): number {
    const first = this.#samples[0]
    const last = this.#samples[this.#samples.length - 1]
    if (!first || !last || last[0] <= first[0]) return 0
    return ((last[1] - first[1]) * 1000) / (last[0] - first[0])
  }

  #report(done: boolean): void {
    this.#lastReport = this.#now()
    if (!this.#onProgress) return
    const rate = this.#rate()
    const progress: TransferProgress = {
      bytes: this.#bytes,
      rate,
      attempt: this.#attempt,
      done,
    }
    if (this.#total !== undefined) {
      progress.total = this.#total
      if (rate > 0) progress.secondsLeft = Math.max(0, (this.#total - this.#bytes) / rate)
    }
    this.#onProgress(progress)
  }
}
