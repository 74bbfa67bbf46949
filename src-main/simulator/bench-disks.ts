// Two large VDIs for transfer benchmarks (`xo-desk sim --bench-disk 4G`): `bench-disk`, every byte
// non-zero data, and `bench-sparse`, a sixteenth of it data and the rest zeros. Their bytes are
// generated once (a few blocks of AES-CTR keystream) and served without copies, so the simulator is
// not what a benchmark of exports and imports measures.
import { createCipheriv, createHash } from 'node:crypto'
import {
  DISK_BLOCK_SIZE,
  SECTOR_SIZE,
  blockLength,
  type DiskContent,
} from '../formats/disk-content'
import type { XoRecord } from './lab/types'
import { createVdi } from './lab-mutations'
import type { Simulation } from './simulation'

/** bench-sparse: a sixteenth of each stripe of this size (or of the whole disk if smaller) is data. */
const SPARSE_STRIPE = 16 * DISK_BLOCK_SIZE
/** Distinct 2 MiB blocks per disk: block i of the disk is pattern i mod this (16 MiB kept). */
const PATTERNS = 8

export interface BenchDisks {
  /** `bench-disk`: SIZE bytes of non-zero data, no zero sector. */
  disk: XoRecord
  /** `bench-sparse`: the same virtual size, ~SIZE/16 of data at the start of every 32 MiB. */
  sparse: XoRecord
}

/** `PATTERNS` blocks of AES-CTR keystream from (seed, id), no sector of them all zeros. */
function patterns(seed: string, id: string): Buffer[] {
  const h = createHash('sha256').update(`xo-desk-bench\0${seed}\0${id}`).digest()
  const cipher = createCipheriv('aes-128-ctr', h.subarray(0, 16), h.subarray(16, 32))
  const zeros = Buffer.alloc(DISK_BLOCK_SIZE)
  return Array.from({ length: PATTERNS }, () => {
    const block = cipher.update(zeros)
    for (let at = 0; at < block.length; at += SECTOR_SIZE) block[at] ||= 1
    return block
  })
}

/**
 * A disk of `size` bytes (a multiple of 512): all data, or (`sparse`) data in 1/16 of it. Whole data
 * blocks are shared, never copied (no reader of a `DiskContent` writes into a block): fresh 2 MiB
 * buffers would halve what one core serves, and the simulator must not be what a benchmark measures.
 */
export function benchDiskContent(options: {
  seed: string
  id: string
  size: number
  sparse?: boolean
}): DiskContent {
  const { size } = options
  if (!Number.isSafeInteger(size) || size <= 0 || size % SECTOR_SIZE !== 0)
    throw new RangeError(`a bench disk must be a positive multiple of 512 bytes, got ${size}`)
  let cache: Buffer[] | undefined
  const pattern = (index: number): Buffer =>
    (cache ??= patterns(options.seed, options.id))[index % PATTERNS]!
  const blockCount = Math.ceil(size / DISK_BLOCK_SIZE)
  const stripe = Math.min(SPARSE_STRIPE, size)
  const dataPerStripe = Math.ceil(stripe / 16 / SECTOR_SIZE) * SECTOR_SIZE
  /** The data ranges of block `index`, as offsets in the block. */
  const ranges = (index: number): [number, number][] => {
    const start = index * DISK_BLOCK_SIZE
    const end = start + blockLength({ size }, index)
    if (!options.sparse) return [[0, end - start]]
    const out: [number, number][] = []
    for (let s = Math.floor(start / stripe) * stripe; s < end; s += stripe) {
      const from = Math.max(start, s)
      const to = Math.min(end, s + dataPerStripe)
      if (from < to) out.push([from - start, to - start])
    }
    return out
  }
  return {
    size,
    blockCount,
    isAllocated: (index) => index >= 0 && index < blockCount && ranges(index).length > 0,
    readBlock: (index) => {
      const parts = ranges(index)
      if (parts.length === 0) return Promise.resolve(null)
      const len = blockLength({ size }, index)
      const data = pattern(index)
      if (parts.length === 1 && parts[0]![0] === 0 && parts[0]![1] === len)
        return Promise.resolve(len === DISK_BLOCK_SIZE ? data : data.subarray(0, len))
      const block = Buffer.alloc(len)
      for (const [from, to] of parts) data.copy(block, from, from, to)
      return Promise.resolve(block)
    },
  }
}

/** Adds `bench-disk` and `bench-sparse` of `size` bytes on the first pool's default SR. */
export function addBenchDisks(sim: Simulation, size: number): BenchDisks {
  const pool = [...sim.store.list('pools')][0]
  const srId = pool?.['default_SR']
  if (typeof srId !== 'string' || !sim.store.get('srs', srId))
    throw new Error('the lab has no pool with a default SR for the bench disks')
  const make = (name: string, sparse: boolean): XoRecord => {
    const vdi = createVdi(sim, srId, {
      name_label: name,
      name_description: `xo-desk sim --bench-disk ${size}: ${sparse ? '1/16 data, the rest zeros' : 'all data'}`,
      size,
      usage: sparse ? Math.ceil(size / 16) : size,
    })
    sim.disks.provide(vdi.id, benchDiskContent({ seed: sim.lab.seed, id: vdi.id, size, sparse }))
    return vdi
  }
  return { disk: make('bench-disk', false), sparse: make('bench-sparse', true) }
}
