import { createHash } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import type { ByteSource } from './byte-source'
import { hashZeros, isAllZero } from './disk-content'
import { FormatError } from './format-error'
import { FLAGS, MARKER } from './vmdk'

export interface VmdkInfo {
  /** `createType` from the embedded descriptor, e.g. `streamOptimized`. */
  createType: string
  virtualSize: number
  grains: number
  /** sha256 of the virtual content; streamOptimized only, when grains come in disk order. */
  digest?: string
}

const bad = (msg: string): FormatError => new FormatError('vmdk', 'bad-vmdk', msg)
const MAX_DESCRIPTOR = 1024 * 1024
const MAX_GRAIN = 1024 * 1024

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${what} ${v} is out of range`)
  return Number(v)
}

/**
 * Reads a sparse VMDK from the front, as a stream allows (OVA disks are checked before upload,
 * docs/formats.md#ova). For streamOptimized disks it walks every marker and inflates every grain,
 * so a damaged grain or a cut file is caught and the content can be hashed.
 */
/**
 * `digest: false` skips the content digest: hashing every zero of a mostly empty 40 GiB disk
 * takes half a minute, and a check of the structure does not need it.
 */
export async function readVmdk(
  src: ByteSource,
  options: { digest?: boolean } = {},
): Promise<VmdkInfo> {
  const header = await src.read(0, 512)
  if (!header) throw new FormatError('vmdk', 'truncated', 'shorter than a VMDK header')
  if (header.toString('latin1', 0, 4) !== 'KDMV') throw bad('no "KDMV" magic: not a sparse VMDK')
  const version = header.readUInt32LE(4)
  if (version < 1 || version > 3) throw bad(`unsupported VMDK version ${version}`)
  const flags = header.readUInt32LE(8)
  const capacity = u64(header, 12, 'capacity')
  const grainSectors = u64(header, 20, 'grain size')
  const descOffset = u64(header, 28, 'descriptor offset')
  const descSectors = u64(header, 36, 'descriptor size')
  const gtes = header.readUInt32LE(44)
  const overHead = u64(header, 64, 'overhead')
  if (
    grainSectors < 8 ||
    (grainSectors & (grainSectors - 1)) !== 0 ||
    grainSectors * 512 > MAX_GRAIN
  ) {
    throw bad(`unsupported grain size of ${grainSectors} sectors`)
  }
  if (descSectors * 512 > MAX_DESCRIPTOR || descOffset < 1 || gtes === 0) {
    throw bad('descriptor or grain table geometry out of range')
  }
  const desc = descSectors ? await src.read(descOffset * 512, descSectors * 512) : Buffer.alloc(0)
  if (!desc) throw new FormatError('vmdk', 'truncated', 'the file ends inside its descriptor')
  const createType = /createType\s*=\s*"([^"]*)"/.exec(desc.toString('utf8'))?.[1] ?? 'unknown'
  const virtualSize = capacity * 512
  const info: VmdkInfo = { createType, virtualSize, grains: 0 }
  const streaming = (flags & FLAGS.markers) !== 0 && (flags & FLAGS.compressed) !== 0
  if (createType !== 'streamOptimized' || !streaming) {
    await src.drain(0)
    return info
  }

  const grainBytes = grainSectors * 512
  const gtCount = Math.ceil(capacity / grainSectors / gtes)
  const gtSectors = Math.ceil((gtes * 4) / 512)
  const gdSectors = Math.ceil((gtCount * 4) / 512)
  const hash = createHash('sha256')
  let hashed = 0 // bytes of virtual content hashed so far
  let ordered = options.digest !== false
  // VMware and XO put the grain directory at the end (found through the footer); qemu puts its
  // tables before `overHead` and writes no end-of-stream marker.
  const gdAtEnd = header.readBigUInt64LE(56) === 0xffff_ffff_ffff_ffffn
  const isMarker = (m: Buffer): boolean => {
    const size = m.readUInt32LE(8)
    if (size === 0)
      return m.readUInt32LE(12) >= 1 && m.readUInt32LE(12) <= 3 && isAllZero(m.subarray(16))
    const lba = m.readBigUInt64LE(0)
    const zlibHeader = (m[12]! & 0x0f) === 8 && ((m[12]! << 8) | m[13]!) % 31 === 0
    return (
      lba < BigInt(capacity) &&
      Number(lba) % grainSectors === 0 &&
      size <= 2 * grainBytes &&
      zlibHeader
    )
  }
  let sector = descOffset + descSectors
  for (;;) {
    const marker = await src.read(sector * 512, 512)
    if (!marker) {
      if (!gdAtEnd) break
      throw new FormatError(
        'vmdk',
        'truncated',
        `the stream ends at sector ${sector}, before its end-of-stream marker`,
      )
    }
    if (sector < overHead && !isMarker(marker)) {
      sector++ // padding or up-front tables before the first grain
      continue
    }
    if (isAllZero(marker)) break // end-of-stream marker
    const val = u64(marker, 0, 'marker value')
    const size = marker.readUInt32LE(8)
    if (size === 0) {
      // Metadata marker: `val` sectors of table follow. XO writes val 0 and then every GT in a
      // row, so fall back to the sizes the header implies.
      const type = marker.readUInt32LE(12)
      if (type === MARKER.eos) break
      const fallback = type === MARKER.gt ? gtCount * gtSectors : type === MARKER.gd ? gdSectors : 1
      sector += 1 + (val || fallback)
      continue
    }
    // Grain marker: LBA (sectors), compressed size, then the zlib stream.
    if (size > 2 * grainBytes + 1024) throw bad(`grain at sector ${sector} claims ${size} bytes`)
    const lba = val
    if (lba % grainSectors !== 0 || lba >= capacity) {
      throw bad(`grain at sector ${sector} has LBA ${lba}, outside the disk`)
    }
    const span = Math.ceil((12 + size) / 512)
    const rest = span > 1 ? await src.read((sector + 1) * 512, (span - 1) * 512) : Buffer.alloc(0)
    const record = rest ? Buffer.concat([marker, rest]) : null
    if (!record)
      throw new FormatError(
        'vmdk',
        'truncated',
        `the stream ends inside the grain at sector ${sector}`,
      )
    let data: Buffer
    try {
      data = inflateSync(record.subarray(12, 12 + size))
    } catch (e) {
      throw bad(
        `grain for LBA ${lba} does not inflate (${e instanceof Error ? e.message : String(e)})`,
      )
    }
    if (data.length > grainBytes) throw bad(`grain for LBA ${lba} inflates to ${data.length} bytes`)
    info.grains++
    const at = lba * 512
    if (at < hashed) ordered = false
    if (ordered) {
      hashZeros(hash, at - hashed)
      const keep = Math.min(grainBytes, virtualSize - at)
      hash.update(data.subarray(0, keep))
      hashZeros(hash, keep - Math.min(keep, data.length))
      hashed = at + keep
    }
    sector += span
  }
  await src.drain(0, async (extra) => {
    if (!isAllZero(extra)) throw bad('data after the end-of-stream marker')
  })
  if (!ordered) return info
  hashZeros(hash, virtualSize - hashed)
  return { ...info, digest: hash.digest('hex') }
}
