import { Readable, Transform, type TransformCallback, pipeline } from 'node:stream'
import { createGunzip, createZstdDecompress } from 'node:zlib'
import tar from 'tar-stream'
import { isAllZero } from './disk-content'
import { FormatError, type FormatName } from './format-error'

export type Compression = 'gzip' | 'zstd' | 'none'

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

export function detectCompression(head: Buffer): Compression {
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip'
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return 'zstd'
  return 'none'
}

export interface TarEntry {
  name: string
  size: number
  type: string
  /** Must be read to the end (or the archive abandoned) before asking for the next entry. */
  body: AsyncIterable<Buffer>
}

export interface TarReader {
  compression: Compression
  entries: AsyncIterable<TarEntry>
  /**
   * After the last entry: checks the end-of-archive blocks are there
   * (docs/formats.md#knowing-a-transfer-is-complete).
   */
  finish(): void
  /** Any error met while reading entries or their bodies, as a `FormatError` when it is the file's fault. */
  classify(e: unknown): unknown
}

/** Counts the (decompressed) tar bytes and keeps the last 1024, to find the end-of-archive marker. */
class TailTap extends Transform {
  total = 0
  tail = Buffer.alloc(0)
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.total += chunk.length
    this.tail =
      chunk.length >= 1024
        ? Buffer.from(chunk.subarray(chunk.length - 1024))
        : Buffer.concat([this.tail, chunk]).subarray(-1024)
    cb(null, chunk)
  }
}

/** Reads up to `n` bytes from the start of a stream and gives back a stream of the whole. */
async function peek(source: Readable, n: number): Promise<{ head: Buffer; all: Readable }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const parts: Buffer[] = []
  let have = 0
  let done = false
  while (have < n) {
    const r = await it.next()
    if (r.done) {
      done = true
      break
    }
    parts.push(r.value)
    have += r.value.length
  }
  const head = Buffer.concat(parts)
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head
    if (done) return
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value
  }
  return { head, all: Readable.from(rest(), { objectMode: false }) }
}

/** Maps zlib / tar-stream failures to `FormatError`s that say what is wrong with the file. */
export function classifyTarError(format: FormatName, e: unknown, entriesSeen: number): unknown {
  if (e instanceof FormatError || !(e instanceof Error)) return e
  const code = (e as Error & { code?: unknown }).code
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) {
    return new FormatError(format, 'truncated', `the archive ends early (${e.message})`)
  }
  if ((typeof code === 'string' && /^(Z_|ERR_ZSTD|ZSTD)/.test(code)) || /zstd/i.test(e.message)) {
    return new FormatError(
      format,
      'corrupt-compression',
      `the compressed data is damaged (${e.message})`,
    )
  }
  if (/tar header|unknown format|Invalid header|Header exceeds/i.test(e.message)) {
    return entriesSeen === 0
      ? new FormatError(format, 'not-tar', `this is not a tar archive (${e.message})`)
      : new FormatError(format, 'corrupt-tar', `damaged tar header after ${entriesSeen} entries`)
  }
  return e
}

/** Opens a tar stream, gzip or zstd compressed or not (sniffed from the magic bytes). */
export async function openTar(source: Readable, format: FormatName): Promise<TarReader> {
  const { head, all } = await peek(source, 4)
  const compression = detectCompression(head)
  const tap = new TailTap()
  const extract = tar.extract()
  const stages: NodeJS.ReadWriteStream[] = []
  if (compression === 'gzip') stages.push(createGunzip())
  if (compression === 'zstd') stages.push(createZstdDecompress())
  let seen = 0
  // Errors reach the extractor (pipeline destroys every stage), so the entry iterator throws them.
  pipeline([all, ...stages, tap, extract], () => {})

  async function* entries(): AsyncGenerator<TarEntry> {
    try {
      for await (const entry of extract) {
        seen++
        const h = entry.header
        // streamx types its chunks as unknown; tar-stream pushes Buffers.
        const body = entry as AsyncIterable<Buffer>
        yield { name: h.name, size: h.size ?? 0, type: h.type ?? 'file', body }
      }
    } catch (e) {
      throw classifyTarError(format, e, seen)
    } finally {
      if (!extract.destroyed) extract.destroy()
    }
  }
  return {
    compression,
    entries: entries(),
    classify: (e) => classifyTarError(format, e, seen),
    finish() {
      if (seen === 0) throw new FormatError(format, 'not-tar', 'the archive is empty or not a tar')
      if (tap.total < 1024 || !isAllZero(tap.tail)) {
        throw new FormatError(
          format,
          'truncated',
          'the archive has no end-of-archive marker: it was cut short',
        )
      }
    },
  }
}

/** The whole entry body, refusing more than `max` bytes (an entry we must hold in memory). */
export async function readEntry(entry: TarEntry, max: number, format: FormatName): Promise<Buffer> {
  if (entry.size > max) {
    throw new FormatError(
      format,
      'bad-field',
      `${entry.name} is ${entry.size} bytes, more than ${max}`,
    )
  }
  const parts: Buffer[] = []
  for await (const chunk of entry.body) parts.push(chunk as Buffer)
  return Buffer.concat(parts)
}

export async function skipEntry(entry: TarEntry): Promise<void> {
  for await (const chunk of entry.body) void chunk
}
