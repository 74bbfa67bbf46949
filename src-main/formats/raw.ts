import { Readable } from 'node:stream'
import { blockLength, type DiskContent } from './disk-content'

/**
 * The disk's virtual bytes, holes as zeros, one 2 MiB block at a time. Byte mode (not object mode) so
 * the stream buffers at most one block ahead of a slow consumer: constant memory whatever the size.
 */
export function rawStream(disk: DiskContent): Readable {
  async function* blocks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < disk.blockCount; i++) {
      yield (await disk.readBlock(i)) ?? Buffer.alloc(blockLength(disk, i))
    }
  }
  return Readable.from(blocks(), { objectMode: false, highWaterMark: 64 * 1024 })
}
