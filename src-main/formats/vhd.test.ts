import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DISK_BLOCK_SIZE,
  type DiskContent,
  deterministicDisk,
  diskDigest,
  diskFromBuffer,
} from './disk-content'
import { FormatError } from './format-error'
import { rawStream } from './raw'
import {
  countingDisk,
  fileDigest,
  makeTempDir,
  qemuInfo,
  readThenStop,
  run,
  streamBytes,
  writeFileFrom,
} from '../test-support/format-files'
import { readVhd, vhdLength, vhdRawStream, vhdStream } from './vhd'
import { vhdChecksum } from './vhd-structs'

const MiB = 1024 * 1024
let dir = ''
let remove: () => Promise<void> = async () => {}

beforeAll(async () => {
  ;({ dir, remove } = await makeTempDir('vhd'))
})
afterAll(() => remove())

const fixed = { uuid: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', timestamp: new Date('2026-01-02') }

async function vhdBuffer(disk: DiskContent): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of vhdStream(disk, fixed).stream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

async function expectFormatError(p: Promise<unknown>, reason: string): Promise<FormatError> {
  const e: unknown = await p.then(
    () => null,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(FormatError)
  const fe = e as FormatError
  expect(fe.reason).toBe(reason)
  expect(fe.message.length).toBeGreaterThan(10)
  return fe
}

/** Re-signs a footer at `at` after editing it, so only the intended defect remains. */
function resignFooter(buf: Buffer, at: number): void {
  buf.writeUInt32BE(vhdChecksum(buf.subarray(at, at + 512), 64), at + 64)
}

describe('vhdStream', () => {
  // 10 MiB + 3 sectors: a partial last block, and a size no CHS geometry can express.
  const disk = deterministicDisk({ seed: 'vhd', id: 'odd', size: 10 * MiB + 1536 })
  let path = ''

  beforeAll(async () => {
    path = join(dir, 'ours.vhd')
    const { stream, length } = vhdStream(disk, fixed)
    await writeFileFrom(stream, path)
    expect((await readFile(path)).length).toBe(length)
    expect(length).toBe(vhdLength(disk))
  })

  it('is read by qemu-img as a dynamic vpc image of the exact virtual size', async () => {
    const info = await qemuInfo(path)
    expect(info.format).toBe('vpc')
    expect(info['virtual-size']).toBe(disk.size)
    // `qemu-img check` would be next, but qemu 7.2's vpc driver answers "does not support checks";
    // the full convert + compare below reads every block instead.
  })

  it('converts back with qemu-img to the same bytes as rawStream', async () => {
    const raw = join(dir, 'ours.raw')
    await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', path, raw])
    const expected = await diskDigest(disk)
    expect(await fileDigest(raw)).toBe(expected)
    expect((await streamBytes(rawStream(disk))).digest).toBe(expected)
    const ourRaw = join(dir, 'ours-direct.raw')
    await writeFileFrom(rawStream(disk), ourRaw)
    await run('qemu-img', ['compare', '-f', 'raw', '-F', 'vpc', ourRaw, path])
  })

  it('stores only the allocated blocks', async () => {
    const allocated = Array.from({ length: disk.blockCount }, (_, i) => disk.isAllocated(i))
    const n = allocated.filter(Boolean).length
    expect(n).toBeLessThan(disk.blockCount)
    expect(vhdLength(disk)).toBe(512 + 1024 + 512 + n * (512 + DISK_BLOCK_SIZE) + 512)
  })

  it('is validated by readVhd from a file and from a stream, with the disk digest', async () => {
    const expected = await diskDigest(disk)
    const fromFile = await readVhd(path)
    expect(fromFile).toMatchObject({
      diskType: 'dynamic',
      virtualSize: disk.size,
      digest: expected,
    })
    expect(fromFile).toMatchObject({ creatorApp: 'xo  ', uuid: fixed.uuid })
    const fromStream = await readVhd(vhdStream(disk).stream)
    expect(fromStream.digest).toBe(expected)
    expect((await streamBytes(vhdRawStream(path))).digest).toBe(expected)
    expect((await streamBytes(vhdRawStream(createReadStream(path)))).digest).toBe(expected)
  })

  it('pauses while its consumer does, and stops quietly when the consumer goes away', async () => {
    const big = countingDisk(deterministicDisk({ seed: 'slow', id: 'v', size: 64 * MiB }))
    await readThenStop(vhdStream(big.disk).stream, 64 * 1024)
    expect(big.reads()).toBeLessThanOrEqual(3)
  })

  it('streams a 2 GiB sparse disk in constant memory, length known up front', async () => {
    const size = 2 * 1024 * MiB
    const base = deterministicDisk({ seed: 'big', id: 'sparse', size })
    // Every 64th block allocated: 32 MiB of data in a 2 GiB disk.
    const sparse: DiskContent = {
      size,
      blockCount: base.blockCount,
      isAllocated: (i) => i % 64 === 0,
      readBlock: (i) => (i % 64 === 0 ? base.readBlock(i) : Promise.resolve(null)),
    }
    const { stream, length } = vhdStream(sparse)
    const info = await readVhd(stream)
    expect(info).toMatchObject({ virtualSize: size, fileSize: length, allocatedBlocks: 16 })
    expect(info.digest).toBe(await diskDigest(sparse))
  })
})

describe('readVhd on images made by qemu-img', () => {
  it('reads a dynamic VHD converted from a raw file (CHS-rounded size, zero tail)', async () => {
    const disk = deterministicDisk({ seed: 'qemu', id: 'conv', size: 9 * MiB })
    const raw = join(dir, 'q.raw')
    const vhd = join(dir, 'q.vhd')
    await writeFileFrom(rawStream(disk), raw)
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', raw, vhd])
    const info = await readVhd(vhd)
    expect(info.diskType).toBe('dynamic')
    expect(info.creatorApp).toBe('qemu')
    expect(info.virtualSize).toBe((await qemuInfo(vhd))['virtual-size'])
    expect(info.virtualSize).toBeGreaterThanOrEqual(disk.size)
    const padded = Buffer.concat([await readFile(raw), Buffer.alloc(info.virtualSize - disk.size)])
    expect(info.digest).toBe(createHash('sha256').update(padded).digest('hex'))
    expect((await readVhd(createReadStream(vhd))).digest).toBe(info.digest)
  })

  it('reads a VHD created empty by qemu-img and written by qemu-io', async () => {
    const vhd = join(dir, 'io.vhd')
    await run('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=dynamic', vhd, '8M'])
    await run('qemu-io', [
      '-f',
      'vpc',
      '-c',
      'write -P 0xab 3M 64k',
      '-c',
      'write -P 0x5c 0 512',
      vhd,
    ])
    const info = await readVhd(vhd)
    const expected = Buffer.alloc(info.virtualSize)
    expected.fill(0x5c, 0, 512)
    expected.fill(0xab, 3 * MiB, 3 * MiB + 64 * 1024)
    expect(info.allocatedBlocks).toBe(2)
    expect(info.digest).toBe(createHash('sha256').update(expected).digest('hex'))
  })

  it('reads a fixed VHD from a file and from a stream', async () => {
    const disk = diskFromBuffer(Buffer.alloc(3 * MiB, 7))
    const raw = join(dir, 'f.raw')
    const vhd = join(dir, 'f.vhd')
    await writeFileFrom(rawStream(disk), raw)
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed', raw, vhd])
    const info = await readVhd(vhd)
    expect(info.diskType).toBe('fixed')
    const padded = Buffer.concat([await readFile(raw), Buffer.alloc(info.virtualSize - disk.size)])
    const digest = createHash('sha256').update(padded).digest('hex')
    expect(info.digest).toBe(digest)
    expect((await readVhd(createReadStream(vhd))).digest).toBe(digest)
    expect((await streamBytes(vhdRawStream(createReadStream(vhd)))).digest).toBe(digest)
  })
})

describe('readVhd refuses damaged or unsupported VHDs', () => {
  const disk = deterministicDisk({ seed: 'bad', id: 'disk', size: 8 * MiB })
  let good: Buffer = Buffer.alloc(0)
  beforeAll(async () => {
    good = await vhdBuffer(disk)
  })

  async function both(buf: Buffer, reason: string): Promise<void> {
    const path = join(dir, `bad-${reason}.vhd`)
    await writeFile(path, buf)
    await expectFormatError(readVhd(path), reason)
    await expectFormatError(readVhd(Readable.from([buf])), reason)
  }

  it('bad footer checksum', async () => {
    const buf = Buffer.from(good)
    buf[100] = buf[100]! ^ 1 // inside the footer copy, outside the checksum field
    await both(buf, 'bad-checksum')
  })

  it('bad dynamic header checksum', async () => {
    const buf = Buffer.from(good)
    buf[512 + 40] = buf[512 + 40]! ^ 0x10
    await both(buf, 'bad-checksum')
  })

  it('bad cookie (not a VHD at all)', async () => {
    await both(Buffer.alloc(4096, 0x41), 'bad-cookie')
  })

  it('truncated file', async () => {
    await both(good.subarray(0, good.length - 3 * 1024 * 1024), 'truncated')
    await both(good.subarray(0, 1000), 'truncated')
  })

  it('differencing disk', async () => {
    const buf = Buffer.from(good)
    for (const at of [0, buf.length - 512]) {
      buf.writeUInt32BE(4, at + 60)
      resignFooter(buf, at)
    }
    await both(buf, 'differencing')
    const path = join(dir, 'diff-ok.vhd')
    await writeFile(path, buf)
    const info = await readVhd(path, { allowDifferencing: true })
    expect(info.diskType).toBe('differencing')
    expect(info.digest).toBeUndefined()
  })

  it('BAT entry past the end of the file', async () => {
    const buf = Buffer.from(good)
    buf.writeUInt32BE(0x00100000, 1536) // block 0 at 512 MiB
    await both(buf, 'bat-out-of-range')
  })

  it('two BAT entries pointing at the same block', async () => {
    const buf = Buffer.from(good)
    const bat = (i: number): number => buf.readUInt32BE(1536 + 4 * i)
    const used = [0, 1, 2, 3].filter((i) => bat(i) !== 0xffffffff)
    buf.writeUInt32BE(bat(used[0]!), 1536 + 4 * used[1]!)
    await both(buf, 'bat-overlap')
  })

  it('blocks stored out of disk order: fine from a file, no digest from a stream', async () => {
    const buf = Buffer.from(good)
    const bat = (i: number): number => buf.readUInt32BE(1536 + 4 * i)
    const [a, b] = [0, 1, 2, 3].filter((i) => bat(i) !== 0xffffffff)
    const [sa, sb] = [bat(a!), bat(b!)]
    buf.writeUInt32BE(sb, 1536 + 4 * a!)
    buf.writeUInt32BE(sa, 1536 + 4 * b!)
    const path = join(dir, 'swapped.vhd')
    await writeFile(path, buf)
    const raw = join(dir, 'swapped.raw')
    await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', path, raw])
    expect((await readVhd(path)).digest).toBe(await fileDigest(raw))
    const fromStream = await readVhd(Readable.from([buf]))
    expect(fromStream.allocatedBlocks).toBeGreaterThan(1)
    expect(fromStream.digest).toBeUndefined()
    await expectFormatError(streamBytes(vhdRawStream(Readable.from([buf]))), 'unordered-blocks')
  })

  it('footer at the end differs from its copy', async () => {
    const buf = Buffer.from(good)
    const at = buf.length - 512
    buf[at + 70] = buf[at + 70]! ^ 0xff // the UUID
    resignFooter(buf, at)
    await both(buf, 'footer-mismatch')
  })
})
