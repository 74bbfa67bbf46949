import { randomBytes } from 'node:crypto'
import { zstdCompressSync, constants } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { xxhash64Hex } from './xxhash64'

/** zstd frames end with the low 32 bits of XXH64(content), little-endian: an independent oracle. */
function zstdChecksum(data: Buffer): string {
  const frame = zstdCompressSync(data, { params: { [constants.ZSTD_c_checksumFlag]: 1 } })
  return frame
    .readUInt32LE(frame.length - 4)
    .toString(16)
    .toUpperCase()
    .padStart(8, '0')
}

describe('xxhash64Hex', () => {
  it('matches the published XXH64 test vectors', () => {
    expect(xxhash64Hex(Buffer.alloc(0))).toBe('EF46DB3751D8E999')
    expect(xxhash64Hex(Buffer.from('abc'))).toBe('44BC2CF5AD770999')
    expect(xxhash64Hex(Buffer.from('Nobody inspects the spammish repetition'))).toBe(
      'FBCEA83C8A378BF1',
    )
  })

  it('agrees with the checksum zstd computes, for every tail length and a 1 MiB chunk', () => {
    for (const len of [1, 3, 4, 7, 8, 15, 31, 32, 33, 63, 64, 100, 1000, 1024 * 1024]) {
      const data = randomBytes(len)
      expect(xxhash64Hex(data).slice(8), `length ${len}`).toBe(zstdChecksum(data))
    }
  })
})
