import { type FileHandle, open } from 'node:fs/promises'
import type { Readable } from 'node:stream'

/**
 * Bytes to validate, from a file (random access, size known) or a stream (forward only: a reader
 * that needs an earlier offset must say it cannot handle that layout).
 */
export interface ByteSource {
  /** Total length when known up front (files). */
  readonly size: number | undefined
  /** Exactly `length` bytes at `offset`, or null when the source ends first. */
  read(offset: number, length: number): Promise<Buffer | null>
  /** The last up-to-512 bytes consumed so far (a stream's idea of "the end" after a short read). */
  tail(): Buffer
  /**
   * Reads everything left. Passes all of it except the final `keep` bytes to `onData`, and returns
   * those final bytes and the total length.
   */
  drain(
    keep: number,
    onData?: (buf: Buffer) => Promise<void>,
  ): Promise<{ end: number; last: Buffer }>
  close(): Promise<void>
}

const TAIL = 512

export async function fileSource(path: string): Promise<ByteSource> {
  const fh: FileHandle = await open(path, 'r')
  const size = (await fh.stat()).size
  let tail: Buffer = Buffer.alloc(0)
  const read = async (offset: number, length: number): Promise<Buffer | null> => {
    if (offset + length > size) return null
    const buf = Buffer.alloc(length)
    let done = 0
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, offset + done)
      if (bytesRead === 0) return null
      done += bytesRead
    }
    tail = buf.subarray(Math.max(0, length - TAIL))
    return buf
  }
  return {
    size,
    read,
    tail: () => tail,
    async drain(keep, onData) {
      if (onData) throw new Error('drain with data is for streams; read files by offset')
      const last = (await read(Math.max(0, size - keep), Math.min(keep, size))) ?? Buffer.alloc(0)
      return { end: size, last }
    },
    close: () => fh.close(),
  }
}

/** A forward-only source over a stream (or any async iterable) of Buffers. */
export function streamSource(stream: Readable | AsyncIterable<Buffer>): ByteSource {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
  let buf: Buffer = Buffer.alloc(0) // unconsumed bytes, starting at `pos`
  let pos = 0
  let tail: Buffer = Buffer.alloc(0)
  let ended = false

  const next = async (): Promise<Buffer | null> => {
    if (ended) return null
    const r = await it.next()
    if (r.done) {
      ended = true
      return null
    }
    return typeof r.value === 'string' ? Buffer.from(r.value) : r.value
  }
  const consume = (n: number): Buffer => {
    const out = buf.subarray(0, n)
    tail =
      out.length >= TAIL
        ? Buffer.from(out.subarray(out.length - TAIL))
        : Buffer.concat([tail, out]).subarray(-TAIL)
    buf = buf.subarray(n)
    pos += n
    return out
  }

  return {
    size: undefined,
    async read(offset, length) {
      if (offset < pos) {
        throw new RangeError(`stream source cannot go back to ${offset} from ${pos}`)
      }
      while (pos + buf.length < offset) {
        consume(buf.length)
        const chunk = await next()
        if (!chunk) return null
        buf = chunk
      }
      consume(offset - pos)
      const parts = [buf]
      let have = buf.length
      while (have < length) {
        const chunk = await next()
        if (!chunk) break
        parts.push(chunk)
        have += chunk.length
      }
      buf = parts.length === 1 ? buf : Buffer.concat(parts)
      if (buf.length < length) {
        consume(buf.length)
        return null
      }
      return Buffer.from(consume(length))
    },
    tail: () => tail,
    async drain(keep, onData) {
      for (;;) {
        if (buf.length > keep) {
          const out = consume(buf.length - keep)
          if (onData) await onData(out)
        }
        const chunk = await next()
        if (!chunk) break
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      }
      const last = Buffer.from(consume(buf.length))
      return { end: pos, last }
    },
    async close() {
      if (!ended) await it.return?.()
      ended = true
    },
  }
}
