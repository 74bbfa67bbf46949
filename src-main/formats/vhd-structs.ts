import { FormatError } from './format-error'

// Layout from the Microsoft VHD spec, summed up in docs/formats.md#vhd. All integers are big-endian.
export const FOOTER_SIZE = 512
export const HEADER_SIZE = 1024
export const VHD_BLOCK_SIZE = 2 * 1024 * 1024
export const UNUSED_BAT_ENTRY = 0xffffffff
export const DISK_TYPES = { fixed: 2, dynamic: 3, differencing: 4 } as const
export type VhdDiskType = keyof typeof DISK_TYPES

const FORMAT_VERSION = 0x00010000
const FOOTER_CHECKSUM_AT = 64
const HEADER_CHECKSUM_AT = 36
const VHD_EPOCH_S = Date.UTC(2000, 0, 1) / 1000
// The largest geometry qemu (and Hyper-V) treat as "use currentSize, not C·H·S" (qemu block/vpc.c).
const MAX_GEOMETRY: Geometry = { cylinders: 65535, heads: 16, sectors: 255 }
// Refuse absurd tables before allocating them: 2 TiB (the VHD limit) at 2 MiB blocks is 1 Mi entries.
const MAX_TABLE_ENTRIES = 16 * 1024 * 1024
const MAX_BLOCK_SIZE = 256 * 1024 * 1024

export interface Geometry {
  cylinders: number
  heads: number
  sectors: number
}

export interface VhdFooter {
  cookie: string
  features: number
  fileFormatVersion: number
  /** Offset of the dynamic header; null when the field is all ones (fixed disks). */
  dataOffset: number | null
  /** Seconds since 2000-01-01 UTC. */
  timestamp: number
  creatorApp: string
  creatorVersion: number
  creatorHostOs: string
  originalSize: number
  currentSize: number
  geometry: Geometry
  diskType: number
  checksum: number
  uuid: string
  savedState: number
}

export interface VhdHeader {
  cookie: string
  dataOffset: number | null
  tableOffset: number
  headerVersion: number
  maxTableEntries: number
  blockSize: number
  checksum: number
  parentUuid: string
  parentTimestamp: number
}

/** One's complement of the byte sum, the checksum field counted as zero (spec "Checksum"). */
export function vhdChecksum(buf: Uint8Array, checksumAt: number): number {
  let sum = 0
  for (let i = 0; i < buf.length; i++) {
    if (i < checksumAt || i >= checksumAt + 4) sum += buf[i]!
  }
  return ~sum >>> 0
}

export function toVhdTimestamp(date: Date): number {
  return Math.max(0, Math.floor(date.getTime() / 1000) - VHD_EPOCH_S) >>> 0
}

export function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '')
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a UUID: ${uuid}`)
  return Buffer.from(hex, 'hex')
}

export function bytesToUuid(buf: Uint8Array): string {
  const h = Buffer.from(buf).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/**
 * CHS geometry from the spec's appendix algorithm. When C·H·S·512 is not exactly the size (most
 * sizes), we write the maximum geometry instead: qemu then reads `currentSize`, which is exact, rather
 * than rounding the disk down to C·H·S (qemu block/vpc.c, as its `force_size` option and `qem2`
 * creator do; docs/formats.md#vhd).
 */
export function geometryForSize(size: number): Geometry {
  const total = Math.min(size / 512, 65535 * 16 * 255)
  let sectors: number
  let heads: number
  let cylTimesHeads: number
  if (total >= 65535 * 16 * 63) {
    sectors = 255
    heads = 16
    cylTimesHeads = Math.floor(total / sectors)
  } else {
    sectors = 17
    cylTimesHeads = Math.floor(total / sectors)
    heads = Math.max(4, Math.floor((cylTimesHeads + 1023) / 1024))
    if (cylTimesHeads >= heads * 1024 || heads > 16) {
      sectors = 31
      heads = 16
      cylTimesHeads = Math.floor(total / sectors)
    }
    if (cylTimesHeads >= heads * 1024) {
      sectors = 63
      heads = 16
      cylTimesHeads = Math.floor(total / sectors)
    }
  }
  const cylinders = Math.floor(cylTimesHeads / heads)
  return cylinders * heads * sectors * 512 === size ? { cylinders, heads, sectors } : MAX_GEOMETRY
}

function writeU64(buf: Buffer, value: number | null, at: number): void {
  buf.writeBigUInt64BE(value === null ? 0xffff_ffff_ffff_ffffn : BigInt(value), at)
}

function readU64(buf: Buffer, at: number, what: string): number | null {
  const v = buf.readBigUInt64BE(at)
  if (v === 0xffff_ffff_ffff_ffffn) return null
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatError('vhd', 'bad-field', `${what} ${v} is out of range`)
  }
  return Number(v)
}

export interface FooterFields {
  dataOffset: number | null
  timestamp: number
  uuid: string
  currentSize: number
  diskType: VhdDiskType
}

export function encodeFooter(f: FooterFields): Buffer {
  const buf = Buffer.alloc(FOOTER_SIZE)
  buf.write('conectix', 0, 'latin1')
  buf.writeUInt32BE(2, 8) // features: the "reserved" bit must be set
  buf.writeUInt32BE(FORMAT_VERSION, 12)
  writeU64(buf, f.dataOffset, 16)
  buf.writeUInt32BE(f.timestamp, 24)
  buf.write('xo  ', 28, 'latin1') // XO's creator app (vhd-lib; docs/formats.md#vhd)
  buf.writeUInt32BE(0x00010000, 32)
  buf.write('Wi2k', 36, 'latin1') // what everybody writes (docs/formats.md#vhd)
  writeU64(buf, f.currentSize, 40)
  writeU64(buf, f.currentSize, 48)
  const g = geometryForSize(f.currentSize)
  buf.writeUInt16BE(g.cylinders, 56)
  buf.writeUInt8(g.heads, 58)
  buf.writeUInt8(g.sectors, 59)
  buf.writeUInt32BE(DISK_TYPES[f.diskType], 60)
  uuidToBytes(f.uuid).copy(buf, 68)
  buf.writeUInt32BE(vhdChecksum(buf, FOOTER_CHECKSUM_AT), FOOTER_CHECKSUM_AT)
  return buf
}

export function encodeDynamicHeader(tableOffset: number, maxTableEntries: number): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE)
  buf.write('cxsparse', 0, 'latin1')
  writeU64(buf, null, 8) // header data offset: unused, all ones
  writeU64(buf, tableOffset, 16)
  buf.writeUInt32BE(FORMAT_VERSION, 24)
  buf.writeUInt32BE(maxTableEntries, 28)
  buf.writeUInt32BE(VHD_BLOCK_SIZE, 32)
  buf.writeUInt32BE(vhdChecksum(buf, HEADER_CHECKSUM_AT), HEADER_CHECKSUM_AT)
  return buf
}

function text(buf: Buffer, from: number, to: number): string {
  return buf.toString('latin1', from, to)
}

/**
 * Decodes and checks a footer the way vhd-lib's `checkFooter` does (vatesfr/xen-orchestra,
 * packages/vhd-lib/checkFooter.js).
 */
export function checkFooter(buf: Buffer, where: string): VhdFooter {
  const cookie = text(buf, 0, 8)
  if (cookie !== 'conectix') {
    throw new FormatError('vhd', 'bad-cookie', `no "conectix" cookie in the footer ${where}`)
  }
  const checksum = buf.readUInt32BE(FOOTER_CHECKSUM_AT)
  const expected = vhdChecksum(buf, FOOTER_CHECKSUM_AT)
  if (checksum !== expected) {
    throw new FormatError(
      'vhd',
      'bad-checksum',
      `footer ${where} has checksum ${checksum.toString(16)}, its content gives ${expected.toString(16)}`,
    )
  }
  const f: VhdFooter = {
    cookie,
    features: buf.readUInt32BE(8),
    fileFormatVersion: buf.readUInt32BE(12),
    dataOffset: readU64(buf, 16, 'data offset'),
    timestamp: buf.readUInt32BE(24),
    creatorApp: text(buf, 28, 32),
    creatorVersion: buf.readUInt32BE(32),
    creatorHostOs: text(buf, 36, 40),
    originalSize: readU64(buf, 40, 'original size') ?? NaN,
    currentSize: readU64(buf, 48, 'current size') ?? NaN,
    geometry: { cylinders: buf.readUInt16BE(56), heads: buf[58]!, sectors: buf[59]! },
    diskType: buf.readUInt32BE(60),
    checksum,
    uuid: bytesToUuid(buf.subarray(68, 84)),
    savedState: buf[84]!,
  }
  if (f.fileFormatVersion !== FORMAT_VERSION) {
    throw new FormatError(
      'vhd',
      'unsupported-version',
      `file format version ${f.fileFormatVersion.toString(16)}, expected 10000`,
    )
  }
  const types: number[] = Object.values(DISK_TYPES)
  if (!types.includes(f.diskType)) {
    throw new FormatError('vhd', 'bad-field', `unknown disk type ${f.diskType}`)
  }
  if (!(f.currentSize % 512 === 0) || !(f.originalSize <= f.currentSize)) {
    throw new FormatError(
      'vhd',
      'bad-field',
      `sizes are inconsistent (original ${f.originalSize}, current ${f.currentSize})`,
    )
  }
  const sparse = f.diskType !== DISK_TYPES.fixed
  if (sparse !== (f.dataOffset !== null) || (f.dataOffset !== null && f.dataOffset < 512)) {
    throw new FormatError(
      'vhd',
      'bad-field',
      `data offset ${f.dataOffset} for disk type ${f.diskType}`,
    )
  }
  return f
}

/**
 * Decodes and checks a dynamic header like vhd-lib's `_checkHeader` (vatesfr/xen-orchestra,
 * packages/vhd-lib/_checkHeader.js).
 */
export function checkHeader(buf: Buffer, footer: VhdFooter): VhdHeader {
  if (text(buf, 0, 8) !== 'cxsparse') {
    throw new FormatError('vhd', 'bad-cookie', 'no "cxsparse" cookie in the dynamic disk header')
  }
  const checksum = buf.readUInt32BE(HEADER_CHECKSUM_AT)
  const expected = vhdChecksum(buf, HEADER_CHECKSUM_AT)
  if (checksum !== expected) {
    throw new FormatError(
      'vhd',
      'bad-checksum',
      `dynamic header has checksum ${checksum.toString(16)}, its content gives ${expected.toString(16)}`,
    )
  }
  const h: VhdHeader = {
    cookie: 'cxsparse',
    dataOffset: readU64(buf, 8, 'header data offset'),
    tableOffset: readU64(buf, 16, 'table offset') ?? NaN,
    headerVersion: buf.readUInt32BE(24),
    maxTableEntries: buf.readUInt32BE(28),
    blockSize: buf.readUInt32BE(32),
    checksum,
    parentUuid: bytesToUuid(buf.subarray(40, 56)),
    parentTimestamp: buf.readUInt32BE(56),
  }
  if (h.headerVersion !== FORMAT_VERSION) {
    throw new FormatError('vhd', 'unsupported-version', `header version ${h.headerVersion}`)
  }
  if (h.dataOffset !== null) throw new FormatError('vhd', 'bad-field', 'header data offset is set')
  const log2 = Math.log2(h.blockSize / 512)
  if (!Number.isInteger(log2) || log2 < 0 || h.blockSize > MAX_BLOCK_SIZE) {
    throw new FormatError('vhd', 'bad-field', `unsupported block size ${h.blockSize}`)
  }
  const needed = Math.ceil(footer.currentSize / h.blockSize)
  if (h.maxTableEntries < needed || h.maxTableEntries > MAX_TABLE_ENTRIES) {
    throw new FormatError(
      'vhd',
      'bad-field',
      `BAT has ${h.maxTableEntries} entries, the disk needs ${needed}`,
    )
  }
  if (!Number.isFinite(h.tableOffset) || h.tableOffset % 512 !== 0) {
    throw new FormatError('vhd', 'bad-field', `BAT offset ${h.tableOffset} is not sector-aligned`)
  }
  return h
}

/** Bytes of the sector bitmap in front of each block: one bit per sector, padded to a sector. */
export function bitmapSize(blockSize: number): number {
  return Math.ceil(blockSize / 512 / 8 / 512) * 512
}

export function batSize(entries: number): number {
  return Math.ceil((entries * 4) / 512) * 512
}
