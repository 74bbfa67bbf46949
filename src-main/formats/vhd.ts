import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { DISK_BLOCK_SIZE, type DiskContent } from './disk-content'
import {
  FOOTER_SIZE,
  HEADER_SIZE,
  VHD_BLOCK_SIZE,
  batSize,
  bitmapSize,
  encodeDynamicHeader,
  encodeFooter,
  toVhdTimestamp,
} from './vhd-structs'

export { readVhd, readVhdData, vhdRawStream, type VhdInfo, type ReadVhdOptions } from './vhd-read'

export interface VhdStreamOptions {
  /** Footer UUID; random by default. */
  uuid?: string
  /** Footer timestamp; now by default. */
  timestamp?: Date
}

export interface SizedStream {
  stream: Readable
  /** Exact byte count the stream will produce, for a Content-Length. */
  length: number
}

// One VHD block is one disk block, so the BAT maps 1:1 onto `DiskContent.isAllocated`.
if (DISK_BLOCK_SIZE !== VHD_BLOCK_SIZE) throw new Error('VHD and disk block sizes must match')

const BITMAP = Buffer.alloc(bitmapSize(VHD_BLOCK_SIZE), 0xff)

interface VhdLayout {
  bat: Buffer
  length: number
  tableOffset: number
}

function layout(disk: DiskContent): VhdLayout {
  // Same order as vhd-lib and qemu: footer copy, dynamic header, BAT, blocks, footer
  // (docs/formats.md#vhd).
  const tableOffset = FOOTER_SIZE + HEADER_SIZE
  const bat = Buffer.alloc(batSize(disk.blockCount), 0xff) // 0xFFFFFFFF = unallocated
  let next = tableOffset + bat.length
  for (let i = 0; i < disk.blockCount; i++) {
    if (!disk.isAllocated(i)) continue
    bat.writeUInt32BE(next / 512, i * 4)
    next += BITMAP.length + VHD_BLOCK_SIZE
  }
  return { bat, tableOffset, length: next + FOOTER_SIZE }
}

/** Size of `vhdStream(disk)` without building it. */
export function vhdLength(disk: DiskContent): number {
  return layout(disk).length
}

/**
 * A dynamic VHD of the disk, as XO exports it: only non-zero blocks are stored, each with an all-ones
 * sector bitmap (every sector present, as vhd-lib and qemu write). Streamed one block at a time.
 */
export function vhdStream(disk: DiskContent, options: VhdStreamOptions = {}): SizedStream {
  const { bat, tableOffset, length } = layout(disk)
  const footer = encodeFooter({
    dataOffset: FOOTER_SIZE,
    timestamp: toVhdTimestamp(options.timestamp ?? new Date()),
    uuid: options.uuid ?? randomUUID(),
    currentSize: disk.size,
    diskType: 'dynamic',
  })
  const header = encodeDynamicHeader(tableOffset, disk.blockCount)

  async function* parts(): AsyncGenerator<Buffer> {
    let written = 0
    const emit = (buf: Buffer): Buffer => {
      written += buf.length
      return buf
    }
    yield emit(footer)
    yield emit(header)
    yield emit(bat)
    for (let i = 0; i < disk.blockCount; i++) {
      if (!disk.isAllocated(i)) continue
      yield emit(BITMAP)
      const data = (await disk.readBlock(i)) ?? Buffer.alloc(0)
      yield emit(data)
      // The last block of a disk that is not a multiple of 2 MiB is still a whole block in the file.
      if (data.length < VHD_BLOCK_SIZE) yield emit(Buffer.alloc(VHD_BLOCK_SIZE - data.length))
    }
    yield emit(footer)
    if (written !== length)
      throw new Error(`VHD writer produced ${written} bytes, announced ${length}`)
  }
  return {
    stream: Readable.from(parts(), { objectMode: false, highWaterMark: 64 * 1024 }),
    length,
  }
}
