import { createHash } from 'node:crypto'
import { PassThrough, type Readable } from 'node:stream'
import { type ByteSource, fileSource, streamSource } from './byte-source'
import { FormatError } from './format-error'
import {
  DISK_TYPES,
  FOOTER_SIZE,
  HEADER_SIZE,
  UNUSED_BAT_ENTRY,
  batSize,
  bitmapSize,
  checkFooter,
  checkHeader,
  type VhdDiskType,
  type VhdFooter,
  type VhdHeader,
} from './vhd-structs'

export interface ReadVhdOptions {
  /** Accept a differencing disk (without a digest: its content depends on the parent). */
  allowDifferencing?: boolean
}

export interface VhdInfo {
  diskType: VhdDiskType
  virtualSize: number
  fileSize: number
  creatorApp: string
  uuid: string
  /** Dynamic and differencing disks only. */
  blockSize?: number
  allocatedBlocks?: number
  parentUuid?: string
  /**
   * sha256 of the virtual content (same as `diskDigest`). Absent for differencing disks, and for
   * streams whose blocks are not stored in disk order (read the file instead).
   */
  digest?: string
}

type Sink = (buf: Buffer) => Promise<void>
/** Takes `length` bytes of zeros the VHD leaves unallocated, instead of the sink seeing them. */
type Hole = (length: number) => Promise<void>

interface Walk {
  src: ByteSource
  options: ReadVhdOptions
  sink: Sink | undefined
  /** Without it, unallocated blocks reach the sink as zero buffers. */
  hole: Hole | undefined
  /** The caller wants the content or nothing (raw conversion), not just a validation. */
  needContent: boolean
}

const err = (reason: ConstructorParameters<typeof FormatError>[1], msg: string): FormatError =>
  new FormatError('vhd', reason, msg)

function typeName(footer: VhdFooter): VhdDiskType {
  const [name] = Object.entries(DISK_TYPES).find(([, v]) => v === footer.diskType) ?? ['fixed']
  return name as VhdDiskType
}

function baseInfo(footer: VhdFooter, fileSize: number): VhdInfo {
  return {
    diskType: typeName(footer),
    virtualSize: footer.currentSize,
    fileSize,
    creatorApp: footer.creatorApp.replace(/\0/g, ''),
    uuid: footer.uuid,
  }
}

/** Zero the sectors whose bitmap bit is clear: for dynamic disks they read as zeros (spec, "Block"). */
function applyBitmap(bitmap: Buffer, data: Buffer): void {
  const sectors = data.length / 512
  for (let byte = 0; byte < sectors / 8; byte++) {
    if (bitmap[byte] === 0xff) continue
    for (let bit = 0; bit < 8; bit++) {
      if ((bitmap[byte]! & (0x80 >> bit)) !== 0) continue
      const sector = byte * 8 + bit
      data.fill(0, sector * 512, (sector + 1) * 512)
    }
  }
}

async function walkFixed(w: Walk, first: Buffer): Promise<VhdInfo> {
  const { src, sink } = w
  let footerBuf: Buffer
  let end: number
  let firstEmitted = false
  if (src.size !== undefined) {
    end = src.size
    footerBuf = (await src.read(end - FOOTER_SIZE, FOOTER_SIZE)) ?? first
  } else {
    // A fixed disk's only footer is its last sector: stream the data, holding back 512 bytes.
    const drained = await src.drain(FOOTER_SIZE, async (buf) => {
      if (!firstEmitted && sink) await sink(first)
      firstEmitted = true
      if (sink) await sink(buf)
    })
    end = drained.end
    footerBuf =
      drained.last.length === FOOTER_SIZE
        ? drained.last
        : Buffer.concat([first, drained.last]).subarray(-FOOTER_SIZE)
  }
  if (footerBuf.toString('latin1', 0, 8) !== 'conectix') {
    throw err(
      'bad-cookie',
      'no "conectix" footer at the start or at the end: not a VHD file (or a fixed VHD cut short)',
    )
  }
  const footer = checkFooter(footerBuf, 'at the end of the file')
  if (footer.diskType !== DISK_TYPES.fixed) {
    throw err('footer-mismatch', 'the footer copy at offset 0 of this dynamic VHD is missing')
  }
  if (end - FOOTER_SIZE !== footer.currentSize) {
    const short = end - FOOTER_SIZE < footer.currentSize
    throw err(
      short ? 'truncated' : 'bad-field',
      `fixed VHD of ${footer.currentSize} bytes must be ${footer.currentSize + FOOTER_SIZE} bytes long, the file has ${end}`,
    )
  }
  if (sink && src.size !== undefined) {
    for (let at = 0; at < footer.currentSize; at += 2 * 1024 * 1024) {
      const len = Math.min(2 * 1024 * 1024, footer.currentSize - at)
      const buf = await src.read(at, len)
      if (!buf) throw err('truncated', `short read at ${at}`)
      await sink(buf)
    }
  } else if (sink && !firstEmitted && end > FOOTER_SIZE) {
    await sink(first) // a 512-byte disk: its only data sector was held back with the footer
  }
  return baseInfo(footer, end)
}

interface BatBlock {
  index: number
  start: number
}

function checkBat(footer: VhdFooter, header: VhdHeader, bat: Buffer): BatBlock[] {
  const span = bitmapSize(header.blockSize) + header.blockSize
  const meta: [number, number][] = [
    [0, FOOTER_SIZE],
    [footer.dataOffset ?? 0, (footer.dataOffset ?? 0) + HEADER_SIZE],
    [header.tableOffset, header.tableOffset + batSize(header.maxTableEntries)],
  ]
  const blocks: BatBlock[] = []
  for (let index = 0; index < bat.length / 4; index++) {
    const sector = bat.readUInt32BE(index * 4)
    if (sector === UNUSED_BAT_ENTRY) continue
    const start = sector * 512
    if (meta.some(([a, b]) => start < b && a < start + span)) {
      throw err('bat-out-of-range', `BAT entry ${index} points into the file's headers (${start})`)
    }
    blocks.push({ index, start })
  }
  const byOffset = [...blocks].sort((a, b) => a.start - b.start)
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!
    const cur = byOffset[i]!
    if (cur.start < prev.start + span) {
      throw err('bat-overlap', `blocks ${prev.index} and ${cur.index} overlap in the file`)
    }
  }
  return byOffset
}

async function walkSparse(w: Walk, first: Buffer, footer: VhdFooter): Promise<VhdInfo> {
  const { src, sink } = w
  const dataOffset = footer.dataOffset ?? FOOTER_SIZE
  const headerBuf = await src.read(dataOffset, HEADER_SIZE)
  if (!headerBuf) throw err('truncated', 'the file ends before its dynamic disk header')
  const header = checkHeader(headerBuf, footer)
  const differencing = footer.diskType === DISK_TYPES.differencing
  if (differencing && !w.options.allowDifferencing) {
    throw err(
      'differencing',
      `this is a differencing VHD (parent ${header.parentUuid}): XO imports standalone disks only, merge it with its parent first`,
    )
  }
  if (src.size === undefined && header.tableOffset < dataOffset + HEADER_SIZE) {
    throw err('unordered-blocks', 'the BAT comes before the header: read this VHD from a file')
  }
  const entries = Math.ceil(footer.currentSize / header.blockSize)
  const bat = entries === 0 ? Buffer.alloc(0) : await src.read(header.tableOffset, entries * 4)
  if (!bat) throw err('truncated', 'the file ends inside its block allocation table')
  const blocks = checkBat(footer, header, bat)
  const span = bitmapSize(header.blockSize) + header.blockSize
  const bitmapLen = bitmapSize(header.blockSize)
  const info: VhdInfo = {
    ...baseInfo(footer, 0),
    blockSize: header.blockSize,
    allocatedBlocks: blocks.length,
    ...(differencing ? { parentUuid: header.parentUuid } : {}),
  }
  const blockLen = (i: number): number =>
    Math.min(header.blockSize, footer.currentSize - i * header.blockSize)
  // Blocks [from, to) are unallocated: one hole for the run, so its cost is not its size.
  const emitHoles = async (from: number, to: number): Promise<void> => {
    if (!sink || from >= to) return
    if (w.hole) {
      const end = Math.min(to * header.blockSize, footer.currentSize)
      return w.hole(end - from * header.blockSize)
    }
    for (let i = from; i < to; i++) await sink(Buffer.alloc(blockLen(i)))
  }
  const emitBlock = async (index: number, raw: Buffer | null): Promise<void> => {
    if (!sink) return
    if (!raw) return emitHoles(index, index + 1)
    const data = raw.subarray(bitmapLen, bitmapLen + blockLen(index))
    applyBitmap(raw, data)
    return sink(data)
  }

  if (src.size !== undefined) {
    // Files: check the end first (truncation vs. bad pointers), then read blocks in disk order.
    const size = src.size
    const dataEnd = blocks.reduce(
      (m, b) => Math.max(m, b.start + span),
      header.tableOffset + bat.length,
    )
    const eof = size >= FOOTER_SIZE ? await src.read(size - FOOTER_SIZE, FOOTER_SIZE) : null
    if (!eof?.equals(first)) {
      if (size < dataEnd + FOOTER_SIZE) {
        throw err(
          'truncated',
          `the file has ${size} bytes, its blocks and footer need ${dataEnd + FOOTER_SIZE}`,
        )
      }
      throw err('footer-mismatch', 'the footer at the end differs from its copy at offset 0')
    }
    const bad = blocks.find((b) => b.start + span > size - FOOTER_SIZE)
    if (bad) {
      throw err(
        'bat-out-of-range',
        `BAT entry ${bad.index} points to ${bad.start}, past the end of the data`,
      )
    }
    if (sink && !differencing) {
      let next = 0
      for (const b of [...blocks].sort((x, y) => x.index - y.index)) {
        await emitHoles(next, b.index)
        await emitBlock(b.index, await src.read(b.start, span))
        next = b.index + 1
      }
      await emitHoles(next, entries)
    }
    return { ...info, fileSize: size }
  }

  // Streams: blocks in file order. Content only when that is also disk order.
  if (blocks.some((b) => b.start < header.tableOffset)) {
    throw err('unordered-blocks', 'blocks are stored before the BAT: read this VHD from a file')
  }
  const ordered = blocks.every((b, i) => i === 0 || blocks[i - 1]!.index < b.index)
  const emitting = !!sink && !differencing && ordered
  if (w.needContent && !ordered) {
    throw err(
      'unordered-blocks',
      'blocks are not stored in disk order: convert this VHD from a file',
    )
  }
  let nextIndex = 0
  for (const b of blocks) {
    const raw = await src.read(b.start, span)
    if (!raw) {
      const tail = src.tail()
      if (tail.length === FOOTER_SIZE && tail.equals(first)) {
        throw err(
          'bat-out-of-range',
          `BAT entry ${b.index} points to ${b.start}, past the end of the file`,
        )
      }
      throw err('truncated', `the stream ends inside block ${b.index} (at ${b.start})`)
    }
    if (!emitting) continue
    await emitHoles(nextIndex, b.index)
    await emitBlock(b.index, raw)
    nextIndex = b.index + 1
  }
  const { end, last } = await src.drain(FOOTER_SIZE)
  if (!last.equals(first)) {
    const isFooter = last.length === FOOTER_SIZE && last.toString('latin1', 0, 8) === 'conectix'
    throw isFooter
      ? err('footer-mismatch', 'the footer at the end differs from its copy at offset 0')
      : err('truncated', `the stream ends after ${end} bytes without the closing footer`)
  }
  if (emitting) await emitHoles(nextIndex, entries)
  return { ...info, fileSize: end }
}

async function walk(
  src: ByteSource,
  options: ReadVhdOptions,
  sink?: Sink,
  needContent = false,
  hole?: Hole,
): Promise<VhdInfo> {
  const w: Walk = { src, options, sink, hole, needContent }
  try {
    const first = await src.read(0, FOOTER_SIZE)
    if (!first) throw err('truncated', 'the file is shorter than one 512-byte footer')
    if (first.toString('latin1', 0, 8) === 'conectix') {
      const footer = checkFooter(first, 'at offset 0')
      if (footer.diskType !== DISK_TYPES.fixed) return await walkSparse(w, first, footer)
    }
    return await walkFixed(w, first)
  } finally {
    await src.close()
  }
}

const open = (source: string | Readable): Promise<ByteSource> =>
  typeof source === 'string' ? fileSource(source) : Promise.resolve(streamSource(source))

/**
 * Validates a VHD (file path or stream) the way XO's vhd-lib would (vatesfr/xen-orchestra,
 * packages/vhd-lib; docs/formats.md#vhd) and hashes its virtual content. Throws `FormatError` for
 * anything XO would refuse or that is damaged.
 */
export async function readVhd(
  source: string | Readable,
  options: ReadVhdOptions = {},
): Promise<VhdInfo> {
  const hash = createHash('sha256')
  let expected = 0
  const info = await walk(await open(source), options, async (buf) => {
    expected += buf.length
    hash.update(buf)
  })
  // The sink saw every byte only for fixed disks, files, and ordered streams.
  const complete = info.diskType !== 'differencing' && expected === info.virtualSize
  return complete ? { ...info, digest: hash.digest('hex') } : info
}

/**
 * The VHD's virtual content as raw bytes, validated on the way (errors are `FormatError`s, also
 * for differencing disks, whose content needs the parent). A stream source must store its blocks
 * in disk order, as XO and qemu write them; a file can be in any order.
 */
export function vhdRawStream(source: string | Readable): Readable {
  const out = new PassThrough({ highWaterMark: 64 * 1024 })
  const write = async (buf: Buffer): Promise<void> => {
    if (out.destroyed) throw new Error('raw stream closed by its consumer')
    if (out.write(buf)) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('drain', done)
        out.off('close', done)
        resolve()
      }
      out.on('drain', done)
      out.on('close', done)
    })
  }
  open(source)
    .then((src) => walk(src, {}, write, true))
    .then(
      () => out.end(),
      (e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))),
    )
  return out
}

/**
 * The VHD's virtual content as the bytes it stores, each at its offset in the disk, validated like
 * `vhdRawStream`: unallocated blocks are skipped, not turned into zeros, so reading a sparse VHD of
 * a huge disk costs what its data costs. Resolves with the info once the whole VHD checked out.
 */
export async function readVhdData(
  source: string | Readable,
  write: (offset: number, data: Buffer) => Promise<void>,
): Promise<VhdInfo> {
  let offset = 0
  const sink = async (buf: Buffer): Promise<void> => {
    const at = offset
    offset += buf.length
    await write(at, buf)
  }
  const hole = (length: number): Promise<void> => {
    offset += length
    return Promise.resolve()
  }
  return walk(await open(source), {}, sink, true, hole)
}
