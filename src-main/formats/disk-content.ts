import { createCipheriv, createHash, type Hash } from 'node:crypto'
import { open } from 'node:fs/promises'

export const SECTOR_SIZE = 512
/** The unit every writer asks for: VHD's default block size, two XVA chunks (docs/formats.md). */
export const DISK_BLOCK_SIZE = 2 * 1024 * 1024

/**
 * A virtual disk as writers see it: `size` bytes cut in 2 MiB blocks, the last one possibly shorter.
 * `isAllocated` is known up front (sync) so sparse formats can lay out their tables and announce
 * their length before the first byte is streamed.
 */
export interface DiskContent {
  /** Virtual size in bytes, a multiple of 512. */
  readonly size: number
  readonly blockCount: number
  /** False means the block is all zeros; true means it may hold data. */
  isAllocated(index: number): boolean
  /** The block's bytes (`blockLength(disk, index)` long), or null exactly when it is not allocated. */
  readBlock(index: number): Promise<Buffer | null>
}

const ZEROS = Buffer.alloc(DISK_BLOCK_SIZE)

/** Length of block `index`: 2 MiB except maybe the last one. */
export function blockLength(disk: Pick<DiskContent, 'size'>, index: number): number {
  return Math.min(DISK_BLOCK_SIZE, disk.size - index * DISK_BLOCK_SIZE)
}

/** Whether every byte is zero (memcmp against a shared zero page, so it runs at memory speed). */
export function isAllZero(buf: Uint8Array): boolean {
  for (let at = 0; at < buf.length; at += ZEROS.length) {
    const part = buf.subarray(at, Math.min(buf.length, at + ZEROS.length))
    if (!ZEROS.subarray(0, part.length).equals(part)) return false
  }
  return true
}

export function allocatedBlockCount(disk: DiskContent): number {
  let n = 0
  for (let i = 0; i < disk.blockCount; i++) if (disk.isAllocated(i)) n++
  return n
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size % SECTOR_SIZE !== 0) {
    throw new RangeError(`disk size must be a non-negative multiple of 512 bytes, got ${size}`)
  }
}

function fromAllocation(
  size: number,
  allocated: Uint8Array,
  read: (index: number) => Promise<Buffer>,
): DiskContent {
  return {
    size,
    blockCount: allocated.length,
    isAllocated: (index) => allocated[index] === 1,
    readBlock: async (index) => (allocated[index] === 1 ? read(index) : null),
  }
}

export interface DeterministicDiskOptions {
  seed: string
  id: string
  /** Bytes, a multiple of 512. */
  size: number
}

/**
 * Pseudo-random but reproducible disk content from (seed, id, block index): about half the blocks are
 * holes, and the allocated ones mix full random data, a zero first half (a skipped 1 MiB XVA chunk), a
 * short random run in zeros (mostly-zero grains), and repetitive text (so gzip/zstd have work to do).
 * Block 0 is always allocated, like a boot sector. AES-CTR keystream: fast and identical everywhere.
 */
export function deterministicDisk({ seed, id, size }: DeterministicDiskOptions): DiskContent {
  checkSize(size)
  const blockCount = Math.ceil(size / DISK_BLOCK_SIZE)
  const plan = (index: number): Buffer =>
    createHash('sha256').update(`xo-desk-disk\0${seed}\0${id}\0${index}`).digest()
  const allocated = new Uint8Array(blockCount)
  for (let i = 0; i < blockCount; i++) allocated[i] = i === 0 || plan(i)[0]! < 128 ? 1 : 0

  return fromAllocation(size, allocated, async (index) => {
    const h = plan(index)
    const len = blockLength({ size }, index)
    const sectors = len / SECTOR_SIZE
    const random = (bytes: number): Buffer =>
      createCipheriv('aes-128-ctr', h.subarray(0, 16), h.subarray(16, 32)).update(
        Buffer.alloc(bytes),
      )
    const block = Buffer.alloc(len)
    switch (h[1]! % 4) {
      case 0:
        return random(len)
      case 1: {
        const from = Math.floor(sectors / 2) * SECTOR_SIZE
        random(len - from).copy(block, from)
        return block
      }
      case 2: {
        const first = h.readUInt16BE(2) % sectors
        const count = 1 + (h.readUInt16BE(4) % (sectors - first))
        random(count * SECTOR_SIZE).copy(block, first * SECTOR_SIZE)
        return block
      }
      default:
        return block.fill(`${seed}/${id} block ${index} `.padEnd(63, '.') + '\n')
    }
  })
}

/** A disk backed by a buffer (not copied). Holes are the all-zero blocks. */
export function diskFromBuffer(buf: Buffer): DiskContent {
  checkSize(buf.length)
  const blockCount = Math.ceil(buf.length / DISK_BLOCK_SIZE)
  const slice = (i: number): Buffer =>
    buf.subarray(i * DISK_BLOCK_SIZE, i * DISK_BLOCK_SIZE + blockLength({ size: buf.length }, i))
  const allocated = new Uint8Array(blockCount)
  for (let i = 0; i < blockCount; i++) allocated[i] = isAllZero(slice(i)) ? 0 : 1
  return fromAllocation(buf.length, allocated, (i) => Promise.resolve(Buffer.from(slice(i))))
}

async function readFileAt(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(length)
    const { bytesRead } = await fh.read(buf, 0, length, position)
    if (bytesRead !== length) throw new Error(`${path}: short read at ${position}`)
    return buf
  } finally {
    await fh.close()
  }
}

/**
 * A disk backed by a raw image file whose writer noted the blocks it wrote: no scan, so opening a
 * sparse file of a huge disk costs nothing. Blocks outside `allocated` must read as zeros.
 */
export function diskFromSparseFile(
  path: string,
  size: number,
  allocated: ReadonlySet<number>,
): DiskContent {
  checkSize(size)
  return {
    size,
    blockCount: Math.ceil(size / DISK_BLOCK_SIZE),
    isAllocated: (index) => allocated.has(index),
    readBlock: async (index) =>
      allocated.has(index)
        ? readFileAt(path, index * DISK_BLOCK_SIZE, blockLength({ size }, index))
        : null,
  }
}

/** A disk backed by a raw image file; one scan finds the holes, then blocks are read on demand. */
export async function diskFromFile(path: string): Promise<DiskContent> {
  const readAt = (position: number, length: number): Promise<Buffer> =>
    readFileAt(path, position, length)
  const fh = await open(path, 'r')
  let size: number
  let allocated: Uint8Array
  try {
    size = (await fh.stat()).size
    checkSize(size)
    allocated = new Uint8Array(Math.ceil(size / DISK_BLOCK_SIZE))
    const buf = Buffer.alloc(DISK_BLOCK_SIZE)
    for (let i = 0; i < allocated.length; i++) {
      const len = blockLength({ size }, i)
      await fh.read(buf, 0, len, i * DISK_BLOCK_SIZE)
      allocated[i] = isAllZero(buf.subarray(0, len)) ? 0 : 1
    }
  } finally {
    await fh.close()
  }
  return fromAllocation(size, allocated, (i) =>
    readAt(i * DISK_BLOCK_SIZE, blockLength({ size }, i)),
  )
}

/** Feed `count` zero bytes to a hash without allocating them. */
export function hashZeros(hash: Hash, count: number): void {
  for (let left = count; left > 0; left -= ZEROS.length) {
    hash.update(ZEROS.subarray(0, Math.min(left, ZEROS.length)))
  }
}

/** sha256 (hex) of the whole virtual byte stream, holes included: what every reader recomputes. */
export async function diskDigest(disk: DiskContent): Promise<string> {
  const hash = createHash('sha256')
  for (let i = 0; i < disk.blockCount; i++) {
    const block = await disk.readBlock(i)
    if (block) hash.update(block)
    else hashZeros(hash, blockLength(disk, i))
  }
  return hash.digest('hex')
}
