import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DISK_BLOCK_SIZE,
  allocatedBlockCount,
  deterministicDisk,
  diskDigest,
  diskFromBuffer,
  diskFromFile,
  isAllZero,
} from './disk-content'
import { rawStream } from './raw'
import { makeTempDir, streamBytes } from '../test-support/format-files'

const MiB = 1024 * 1024
let dir = ''
let remove: () => Promise<void> = async () => {}
beforeAll(async () => {
  ;({ dir, remove } = await makeTempDir('disk'))
})
afterAll(() => remove())

describe('deterministicDisk', () => {
  const size = 128 * MiB + 4096
  const disk = deterministicDisk({ seed: 's', id: 'a', size })

  it('gives the same bytes for the same (seed, id) and different bytes otherwise', async () => {
    const again = deterministicDisk({ seed: 's', id: 'a', size })
    const other = deterministicDisk({ seed: 's', id: 'b', size })
    expect(await diskDigest(again)).toBe(await diskDigest(disk))
    expect(await diskDigest(other)).not.toBe(await diskDigest(disk))
  })

  it('is sparse: about half the blocks are holes, and some data blocks are partly zero', async () => {
    expect(disk.blockCount).toBe(65)
    const allocated = allocatedBlockCount(disk)
    expect(allocated).toBeGreaterThan(16)
    expect(allocated).toBeLessThan(49)
    expect(disk.isAllocated(0)).toBe(true)
    let partlyZero = 0
    for (let i = 0; i < disk.blockCount; i++) {
      const block = await disk.readBlock(i)
      expect(block === null).toBe(!disk.isAllocated(i))
      if (!block) continue
      expect(block.length).toBe(Math.min(DISK_BLOCK_SIZE, size - i * DISK_BLOCK_SIZE))
      expect(isAllZero(block)).toBe(false)
      const [head, tail] = [block.subarray(0, 64 * 1024), block.subarray(-64 * 1024)]
      if (isAllZero(head) || isAllZero(tail)) partlyZero++
    }
    expect(partlyZero).toBeGreaterThan(0)
  })

  it('streams its raw bytes with the same digest', async () => {
    expect(await streamBytes(rawStream(disk))).toEqual({
      bytes: size,
      digest: await diskDigest(disk),
    })
  })

  it('refuses sizes that are not whole sectors', () => {
    expect(() => deterministicDisk({ seed: 's', id: 'a', size: 1000 })).toThrow(RangeError)
  })
})

describe('diskFromBuffer and diskFromFile', () => {
  it('find the holes and hash like sha256 of the bytes', async () => {
    const buf = Buffer.alloc(7 * MiB)
    buf.fill(1, 3 * MiB, 3 * MiB + 512)
    buf.fill(2, 7 * MiB - 512)
    const sha = createHash('sha256').update(buf).digest('hex')
    const path = join(dir, 'b.raw')
    await writeFile(path, buf)
    for (const disk of [diskFromBuffer(buf), await diskFromFile(path)]) {
      expect([0, 1, 2, 3].map((i) => disk.isAllocated(i))).toEqual([false, true, false, true])
      expect(await diskDigest(disk)).toBe(sha)
    }
  })
})
