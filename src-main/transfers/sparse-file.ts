import { open, type FileHandle } from 'node:fs/promises'
import { Writable } from 'node:stream'

/** Holes are made per aligned block of this size (the usual file system block). */
export const SPARSE_BLOCK = 4096

const ZERO = Buffer.alloc(SPARSE_BLOCK)

/** Bytes gathered before they are written: few large writes, and no buffer allocated per chunk. */
const STAGE_SIZE = 4 * 1024 * 1024

/**
 * A file Writable that leaves every 4 KiB-aligned block of zeros as a hole: data is gathered in one
 * 4 MiB buffer (reused, so a long transfer does not churn the garbage collector), its non-zero runs
 * written with positioned writes, zero blocks skipped, and the length set with `ftruncate` at the
 * end. Memory: that one buffer.
 */
export class SparseFileWriter extends Writable {
  readonly #path: string
  #fh: FileHandle | undefined
  /** Bytes accepted so far (the file's length once finished). */
  #length = 0
  /** Bytes accepted but not written yet, at file offset `#length - #staged`. */
  readonly #stage = Buffer.allocUnsafe(STAGE_SIZE)
  #staged = 0

  constructor(path: string) {
    super({ highWaterMark: 1024 * 1024 })
    this.#path = path
  }

  get length(): number {
    return this.#length
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.#path, 'w').then(
      (fh) => {
        this.#fh = fh
        callback()
      },
      (err: Error) => callback(err),
    )
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (e?: Error | null) => void): void {
    this.#writeChunk(chunk).then(() => callback(), callback)
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fh = this.#fh
    this.#fh = undefined
    if (!fh) return callback(error)
    fh.close().then(
      () => callback(error),
      () => callback(error),
    )
  }

  /** Writes the non-zero blocks of the staged bytes (a last partial block too) and empties it. */
  async #flush(): Promise<void> {
    const fh = this.#fh
    if (!fh) throw new Error('sparse file is not open')
    const data = this.#stage.subarray(0, this.#staged)
    const start = this.#length - this.#staged
    let runStart = -1
    for (let i = 0; i <= data.length; i += SPARSE_BLOCK) {
      const block = data.subarray(i, i + SPARSE_BLOCK)
      const hole = i >= data.length || block.equals(ZERO.subarray(0, block.length))
      if (!hole && runStart < 0) runStart = i
      if (hole && runStart >= 0) {
        await writeAll(fh, data.subarray(runStart, i), start + runStart)
        runStart = -1
      }
    }
    if (runStart >= 0) await writeAll(fh, data.subarray(runStart), start + runStart)
    this.#staged = 0
  }

  async #writeChunk(chunk: Buffer): Promise<void> {
    // Copied into the stage: the stream may reuse the chunk's memory once the callback ran.
    for (let at = 0; at < chunk.length;) {
      const n = chunk.copy(this.#stage, this.#staged, at)
      this.#staged += n
      this.#length += n
      at += n
      if (this.#staged === STAGE_SIZE) await this.#flush()
    }
  }

  async #finish(): Promise<void> {
    const fh = this.#fh
    if (!fh) throw new Error('sparse file is not open')
    await this.#flush()
    await fh.truncate(this.#length)
    await fh.sync()
    this.#fh = undefined
    await fh.close()
  }
}

async function writeAll(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done)
    done += bytesWritten
  }
}
