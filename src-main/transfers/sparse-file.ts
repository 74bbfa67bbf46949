import { open, type FileHandle } from 'node:fs/promises'
import { Writable } from 'node:stream'

/** Holes are made per aligned block of this size (the usual file system block). */
export const SPARSE_BLOCK = 4096

const ZERO = Buffer.alloc(SPARSE_BLOCK)

/**
 * A file Writable that leaves every 4 KiB-aligned block of zeros as a hole: data is written with
 * positioned writes, zero blocks are skipped, and the length is set with `ftruncate` at the end.
 * Memory: one partial block carried between chunks.
 */
export class SparseFileWriter extends Writable {
  readonly #path: string
  #fh: FileHandle | undefined
  /** Bytes accepted so far (the file's length once finished). */
  #length = 0
  /** The start of the current partial block, not written yet. */
  #carry: Buffer = Buffer.alloc(0)

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

  /** Writes the non-zero blocks of `data`, which starts at file offset `start`. */
  async #flush(data: Buffer, start: number): Promise<void> {
    const fh = this.#fh
    if (!fh) throw new Error('sparse file is not open')
    let runStart = -1
    for (let i = 0; i <= data.length; i += SPARSE_BLOCK) {
      const block = data.subarray(i, i + SPARSE_BLOCK)
      const hole = i === data.length || (block.length === SPARSE_BLOCK && block.equals(ZERO))
      if (!hole && runStart < 0) runStart = i
      if (hole && runStart >= 0) {
        await writeAll(fh, data.subarray(runStart, i), start + runStart)
        runStart = -1
      }
    }
  }

  async #writeChunk(chunk: Buffer): Promise<void> {
    const data = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk
    const start = this.#length - this.#carry.length
    this.#length += chunk.length
    const whole = data.length - (data.length % SPARSE_BLOCK)
    await this.#flush(data.subarray(0, whole), start)
    // Copied: the stream may reuse the chunk's memory once the write callback ran.
    this.#carry = Buffer.from(data.subarray(whole))
  }

  async #finish(): Promise<void> {
    const fh = this.#fh
    if (!fh) throw new Error('sparse file is not open')
    const tail = this.#carry
    if (tail.length > 0 && !tail.equals(ZERO.subarray(0, tail.length)))
      await writeAll(fh, tail, this.#length - tail.length)
    this.#carry = Buffer.alloc(0)
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
