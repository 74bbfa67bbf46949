import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { DISK_BLOCK_SIZE, type DiskContent, isAllZero } from './disk-content'

// streamOptimized VMDK (VMware "Virtual Disk Format 5.0", §"Stream-Optimized Compressed Sparse
// Extents"), the disk format inside the OVAs XO exports. Header integers are little-endian.
export const VMDK_GRAIN_SIZE = 64 * 1024 // 128 sectors, what VMware, XO and qemu write
const GRAIN_SECTORS = VMDK_GRAIN_SIZE / 512
const GTES_PER_GT = 512
const GRAINS_PER_BLOCK = DISK_BLOCK_SIZE / VMDK_GRAIN_SIZE // 32: one bit per grain in a u32 mask
export const MARKER = { eos: 0, gt: 1, gd: 2, footer: 3 } as const
export const FLAGS = { newlineTest: 1, compressed: 1 << 16, markers: 1 << 17 } as const

/**
 * Each grain is a zlib stream (RFC 1950) made of two *stored* deflate blocks: valid for every
 * inflater (qemu, VMware, XO), and the same size whatever the data, so the VMDK's length (which the
 * OVA's tar header and References need up front) is known without compressing twice. Disk content
 * from the simulator is random anyway; zero grains are still left out, which is the big saving.
 */
const HALF = VMDK_GRAIN_SIZE / 2
const ZLIB_GRAIN_SIZE = 2 + 2 * (5 + HALF) + 4
const GRAIN_RECORD_SECTORS = Math.ceil((12 + ZLIB_GRAIN_SIZE) / 512)

function adler32(data: Uint8Array): number {
  let a = 1
  let b = 0
  for (let i = 0; i < data.length;) {
    const end = Math.min(data.length, i + 5552) // largest run before the sums can overflow 2^32
    for (; i < end; i++) {
      a += data[i]!
      b += a
    }
    a %= 65521
    b %= 65521
  }
  return ((b << 16) | a) >>> 0
}

function grainRecord(lbaSector: number, grain: Buffer): Buffer {
  const out = Buffer.alloc(GRAIN_RECORD_SECTORS * 512)
  out.writeBigUInt64LE(BigInt(lbaSector), 0)
  out.writeUInt32LE(ZLIB_GRAIN_SIZE, 8)
  let at = 12
  out[at++] = 0x78 // CMF: deflate, 32 KiB window
  out[at++] = 0x01 // FLG: (0x78 << 8 | 0x01) % 31 === 0, no dictionary
  for (let half = 0; half < 2; half++) {
    out[at++] = half === 1 ? 1 : 0 // BFINAL on the second block, BTYPE 00 (stored)
    out.writeUInt16LE(HALF, at)
    out.writeUInt16LE(~HALF & 0xffff, at + 2)
    at += 4
    grain.copy(out, at, half * HALF, (half + 1) * HALF)
    at += HALF
  }
  out.writeUInt32BE(adler32(grain), at)
  return out
}

function markerSector(numSectors: number, type: number): Buffer {
  const buf = Buffer.alloc(512)
  buf.writeBigUInt64LE(BigInt(numSectors), 0)
  buf.writeUInt32LE(0, 8)
  buf.writeUInt32LE(type, 12)
  return buf
}

function sparseHeader(
  capacitySectors: number,
  descriptorSectors: number,
  gdSector: bigint,
): Buffer {
  const h = Buffer.alloc(512)
  h.write('KDMV', 0, 'latin1')
  h.writeUInt32LE(3, 4) // version 3: streamOptimized
  h.writeUInt32LE(FLAGS.newlineTest | FLAGS.compressed | FLAGS.markers, 8)
  h.writeBigUInt64LE(BigInt(capacitySectors), 12)
  h.writeBigUInt64LE(BigInt(GRAIN_SECTORS), 20)
  h.writeBigUInt64LE(1n, 28) // descriptor right after the header
  h.writeBigUInt64LE(BigInt(descriptorSectors), 36)
  h.writeUInt32LE(GTES_PER_GT, 44)
  h.writeBigUInt64LE(0n, 48) // no redundant grain directory
  h.writeBigUInt64LE(gdSector, 56)
  h.writeBigUInt64LE(BigInt(1 + descriptorSectors), 64) // overHead: grains start here
  h.write('\n \r\n', 73, 'latin1') // detects newline mangling by text-mode transfers
  h.writeUInt16LE(1, 77) // compressAlgorithm: deflate
  return h
}

function descriptorFor(name: string, capacitySectors: number): Buffer {
  const cid = createHash('sha256').update(`${name}\0${capacitySectors}`).digest('hex').slice(0, 8)
  const cylinders = Math.max(1, Math.min(65535, Math.floor(capacitySectors / (255 * 63))))
  const text = [
    '# Disk DescriptorFile',
    'version=1',
    `CID=${cid}`,
    'parentCID=ffffffff',
    'createType="streamOptimized"',
    '',
    '# Extent description',
    `RW ${capacitySectors} SPARSE "${name.replace(/"/g, '_')}"`,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    'ddb.virtualHWVersion = "4"',
    'ddb.adapterType = "lsilogic"',
    `ddb.geometry.cylinders = "${cylinders}"`,
    'ddb.geometry.heads = "255"',
    'ddb.geometry.sectors = "63"',
    '',
  ].join('\n')
  const buf = Buffer.alloc(Math.ceil(Buffer.byteLength(text) / 512) * 512)
  buf.write(text, 'utf8')
  return buf
}

export interface VmdkPlan {
  /** Exact byte length of `vmdkStream`. */
  length: number
  /** Bytes of grains actually stored (OVF `populatedSize`). */
  populatedSize: number
  stream(): Readable
}

/**
 * Plans a streamOptimized VMDK: one pass over the disk finds the non-zero 64 KiB grains (a u32 mask
 * per 2 MiB block, 4 MiB of masks for a 2 TiB disk), after which the length is exact.
 */
export async function planVmdk(disk: DiskContent, name: string): Promise<VmdkPlan> {
  const masks = new Uint32Array(disk.blockCount)
  let grains = 0
  for (let b = 0; b < disk.blockCount; b++) {
    const block = disk.isAllocated(b) ? await disk.readBlock(b) : null
    if (!block) continue
    for (let g = 0; g * VMDK_GRAIN_SIZE < block.length; g++) {
      if (isAllZero(block.subarray(g * VMDK_GRAIN_SIZE, (g + 1) * VMDK_GRAIN_SIZE))) continue
      masks[b]! |= 1 << g
      grains++
    }
  }
  const capacitySectors = disk.size / 512
  const descriptor = descriptorFor(name, capacitySectors)
  const firstGrainSector = 1 + descriptor.length / 512
  const totalGrains = Math.ceil(disk.size / VMDK_GRAIN_SIZE)
  const gtCount = Math.ceil(totalGrains / GTES_PER_GT)
  const gtSectors = (GTES_PER_GT * 4) / 512
  const gdSectors = Math.max(1, Math.ceil((gtCount * 4) / 512))
  const blocksPerGt = GTES_PER_GT / GRAINS_PER_BLOCK
  // Grain tables covering only holes are left out (GD entry 0 = unallocated).
  let usedGts = 0
  for (let t = 0; t < gtCount; t++) {
    if (masks.subarray(t * blocksPerGt, (t + 1) * blocksPerGt).some((m) => m !== 0)) usedGts++
  }
  const afterGrains = firstGrainSector + grains * GRAIN_RECORD_SECTORS
  const gdSector = afterGrains + usedGts * (1 + gtSectors) + 1 // after the GTs and the GD marker
  const totalSectors = gdSector + gdSectors + 1 + 1 + 1 // GD, footer marker, footer, EOS

  async function* parts(): AsyncGenerator<Buffer> {
    yield sparseHeader(capacitySectors, descriptor.length / 512, 0xffff_ffff_ffff_ffffn)
    yield descriptor
    for (let b = 0; b < disk.blockCount; b++) {
      if (masks[b] === 0) continue
      const block = (await disk.readBlock(b)) ?? Buffer.alloc(0)
      for (let g = 0; g < GRAINS_PER_BLOCK; g++) {
        if ((masks[b]! & (1 << g)) === 0) continue
        const grain = Buffer.alloc(VMDK_GRAIN_SIZE) // the last grain of a disk is zero-padded
        block.copy(grain, 0, g * VMDK_GRAIN_SIZE, (g + 1) * VMDK_GRAIN_SIZE)
        yield grainRecord(((b * GRAINS_PER_BLOCK + g) * VMDK_GRAIN_SIZE) / 512, grain)
      }
    }
    // Grain tables, recomputing each grain's sector by counting in the same order as above.
    const gd = Buffer.alloc(gdSectors * 512)
    let grainSector = firstGrainSector
    let tableSector = afterGrains
    for (let t = 0; t < gtCount; t++) {
      const gt = Buffer.alloc(gtSectors * 512)
      let used = false
      for (let k = 0; k < blocksPerGt; k++) {
        const b = t * blocksPerGt + k
        const mask = b < masks.length ? masks[b]! : 0
        for (let g = 0; mask !== 0 && g < GRAINS_PER_BLOCK; g++) {
          if ((mask & (1 << g)) === 0) continue
          gt.writeUInt32LE(grainSector, (k * GRAINS_PER_BLOCK + g) * 4)
          grainSector += GRAIN_RECORD_SECTORS
          used = true
        }
      }
      if (!used) continue
      yield markerSector(gtSectors, MARKER.gt)
      gd.writeUInt32LE(tableSector + 1, t * 4)
      tableSector += 1 + gtSectors
      yield gt
    }
    yield markerSector(gdSectors, MARKER.gd)
    yield gd
    yield markerSector(1, MARKER.footer)
    yield sparseHeader(capacitySectors, descriptor.length / 512, BigInt(gdSector))
    yield markerSector(0, MARKER.eos)
  }

  return {
    length: totalSectors * 512,
    populatedSize: grains * VMDK_GRAIN_SIZE,
    stream: () => Readable.from(parts(), { objectMode: false, highWaterMark: 64 * 1024 }),
  }
}
