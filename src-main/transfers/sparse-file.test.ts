import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SparseFileWriter } from './sparse-file'

let dir: string
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'xo-desk-sparse-'))))
afterAll(() => rm(dir, { recursive: true, force: true }))

/** Odd-sized chunks, so block boundaries fall inside chunks. */
function chunked(data: Buffer, size: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size)
    })(),
  )
}

describe('SparseFileWriter', () => {
  it('writes the same bytes, leaving zero blocks as holes and the length exact', async () => {
    const data = Buffer.alloc(8 * 1024 * 1024 + 123)
    data.fill(7, 1000, 5000) // straddles the first block boundary
    data.fill(9, 4 * 1024 * 1024, 4 * 1024 * 1024 + 10)
    data.fill(1, data.length - 50)
    const file = join(dir, 'disk.raw')
    await pipeline(chunked(data, 65_537), new SparseFileWriter(file))
    expect((await readFile(file)).equals(data)).toBe(true)
    const st = await stat(file)
    expect(st.size).toBe(data.length)
    expect(st.blocks * 512).toBeLessThan(64 * 1024)
  })

  it('keeps a trailing run of zeros as length only', async () => {
    const data = Buffer.alloc(3 * 4096 + 10)
    data[0] = 1
    const file = join(dir, 'tail.raw')
    await pipeline(chunked(data, 1000), new SparseFileWriter(file))
    expect((await readFile(file)).equals(data)).toBe(true)
  })
})
