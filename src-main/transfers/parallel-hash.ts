import { Worker } from 'node:worker_threads'

/** Bytes handed to the worker and not hashed yet, beyond which `update` makes the caller wait. */
const MAX_PENDING = 16 * 1024 * 1024

// The worker: one SHA-256 over the chunks in the order they come; acks each chunk's length.
const WORKER = `
const { parentPort } = require('node:worker_threads')
const hash = require('node:crypto').createHash('sha256')
parentPort.on('message', (m) => {
  if (m === null) parentPort.postMessage({ digest: hash.digest('hex') })
  else {
    hash.update(new Uint8Array(m))
    parentPort.postMessage({ done: m.byteLength })
  }
})
`

/**
 * SHA-256 computed on a worker thread, so hashing (~1 GB/s on one core) overlaps the transfer
 * instead of adding to it. Each chunk is copied once (a memcpy, far cheaper than hashing it) and
 * transferred; at most 16 MiB wait in the worker, after which `update` resolves only when it has
 * caught up, so memory stays bounded however slow the hashing is.
 */
export class ParallelHash {
  readonly #worker = new Worker(WORKER, { eval: true })
  #pending = 0
  #waiting: (() => void) | undefined
  #digest: { resolve(hex: string): void; reject(err: Error): void } | undefined
  #failure: Error | undefined

  constructor() {
    this.#worker.unref()
    this.#worker.on('message', (m: { done?: number; digest?: string }) => {
      if (m.digest !== undefined) this.#digest?.resolve(m.digest)
      if (m.done === undefined) return
      this.#pending -= m.done
      if (this.#pending <= MAX_PENDING) this.#release()
    })
    this.#worker.on('error', (err) => {
      this.#failure = err
      this.#release()
      this.#digest?.reject(err)
    })
  }

  #release(): void {
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.()
  }

  /** Hashes `chunk` (copied: the caller may reuse it); resolves when more may be given. */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure
    const copy = new Uint8Array(chunk).buffer
    this.#pending += copy.byteLength
    this.#worker.postMessage(copy, [copy])
    if (this.#pending > MAX_PENDING) await new Promise<void>((resolve) => (this.#waiting = resolve))
    if (this.#failure) throw this.#failure
  }

  /** The hex digest of everything given, then the worker ends. */
  async digest(): Promise<string> {
    if (this.#failure) throw this.#failure
    const hex = new Promise<string>((resolve, reject) => (this.#digest = { resolve, reject }))
    this.#worker.postMessage(null)
    try {
      return await hex
    } finally {
      await this.close()
    }
  }

  /** Stops the worker (after a failure or a cancel, nothing more to hash). */
  async close(): Promise<void> {
    await this.#worker.terminate()
  }
}
