import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deterministicDisk, diskDigest } from './disk-content'
import { FormatError } from './format-error'
import { type TarPack, addEntry, packStream } from './tar-write'
import {
  countingDisk,
  makeTempDir,
  readThenStop,
  run,
  writeFileFrom,
} from '../test-support/format-files'
import { XVA_CHUNK_SIZE, chunkChecksum, readXva, xvaStream, type XvaInput } from './xva'
import { buildOvaXml } from './xva-metadata'

const MiB = 1024 * 1024
let dir = ''
let remove: () => Promise<void> = async () => {}
beforeAll(async () => {
  ;({ dir, remove } = await makeTempDir('xva'))
})
afterAll(() => remove())

const date = new Date('2026-03-04T05:06:07Z')
const input: XvaInput = {
  vm: {
    name_label: 'web <01> & co',
    name_description: 'test VM',
    uuid: '5b1c4a3e-0000-4000-8000-00000000aaaa',
    memory: 2 * 1024 * MiB,
    CPUs: 2,
  },
  disks: [
    {
      vdiUuid: '5b1c4a3e-0000-4000-8000-00000000d001',
      name_label: 'root',
      disk: deterministicDisk({ seed: 'xva', id: 'root', size: 12 * MiB }),
    },
    {
      vdiUuid: '5b1c4a3e-0000-4000-8000-00000000d002',
      name_label: 'data',
      disk: deterministicDisk({ seed: 'xva', id: 'data', size: 5 * MiB + 512 }),
    },
  ],
}

async function toBuffer(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of stream) parts.push(c as Buffer)
  return Buffer.concat(parts)
}

async function expectFormatError(p: Promise<unknown>, reason: string): Promise<void> {
  const e: unknown = await p.then(
    () => null,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(FormatError)
  expect((e as FormatError).reason).toBe(reason)
  expect((e as FormatError).message).toMatch(/^XVA: .{10,}/)
}

function names(listing: string): string[] {
  return listing
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/).at(-1) ?? '')
}

describe('xvaStream', () => {
  let plain: Buffer = Buffer.alloc(0)
  beforeAll(async () => {
    plain = await toBuffer(xvaStream(input, { date }))
  })

  it('is listed by GNU tar with ova.xml first, then checksummed Ref: chunks', async () => {
    const path = join(dir, 'vm.xva')
    await writeFile(path, plain)
    const list = names(await run('tar', ['-tvf', path]))
    expect(list[0]).toBe('ova.xml')
    expect(list[1]).toBe('Ref:1000/00000000')
    expect(list[2]).toBe('Ref:1000/00000000.xxhash')
    const data = list.filter((n) => /^Ref:\d+\/\d{8}$/.test(n))
    for (const n of data) expect(list[list.indexOf(n) + 1]).toBe(`${n}.xxhash`)
    // Sparse: zero chunks are skipped, but each disk's first and last chunk are there.
    const root = data.filter((n) => n.startsWith('Ref:1000/'))
    expect(root.length).toBeLessThan(12)
    expect(root).toContain('Ref:1000/00000011')
    expect(data.filter((n) => n.startsWith('Ref:1001/')).at(-1)).toBe('Ref:1001/00000005')
  })

  it('is listed by GNU tar when gzip or zstd compressed', async () => {
    for (const [compress, flag] of [
      ['gzip', '-z'],
      ['zstd', '--zstd'],
    ] as const) {
      const path = join(dir, `vm-${compress}.xva`)
      await writeFileFrom(xvaStream(input, { date, compress }), path)
      expect(names(await run('tar', [flag, '-tvf', path]))[0]).toBe('ova.xml')
    }
  })

  it('is verified by readXva, whose digests equal diskDigest (plain, gzip, zstd, sha1)', async () => {
    const expected = await Promise.all(input.disks.map((d) => diskDigest(d.disk)))
    for (const options of [
      {},
      { compress: 'gzip' },
      { compress: 'zstd' },
      { checksum: 'sha1' },
    ] as const) {
      const info = await readXva(xvaStream(input, { date, ...options }))
      expect(info.compression).toBe('compress' in options ? options.compress : 'none')
      expect(info.vm).toMatchObject({
        name_label: 'web <01> & co',
        memory: 2 * 1024 * MiB,
        CPUs: 2,
      })
      expect(info.disks.map((d) => d.digest)).toEqual(expected)
      expect(info.disks.map((d) => d.virtualSize)).toEqual([12 * MiB, 5 * MiB + 512])
      expect(info.disks[0]?.uuid).toBe(input.disks[0]?.vdiUuid)
    }
  })

  it('pauses while its consumer does, and stops quietly when the consumer goes away', async () => {
    for (const compress of [undefined, 'gzip', 'zstd'] as const) {
      const big = countingDisk(deterministicDisk({ seed: 'slow', id: 'c', size: 64 * MiB }))
      const stream = xvaStream(
        { vm: input.vm, disks: [{ vdiUuid: 'v', name_label: 'slow', disk: big.disk }] },
        compress ? { compress } : {},
      )
      await readThenStop(stream, 64 * 1024)
      expect(big.reads(), String(compress)).toBeLessThanOrEqual(3) // of 32 blocks
    }
  })

  it('writes the same bytes for the same input', async () => {
    expect((await toBuffer(xvaStream(input, { date }))).equals(plain)).toBe(true)
  })
})

describe('readXva refuses bad archives', () => {
  let plain: Buffer = Buffer.alloc(0)
  beforeAll(async () => {
    plain = await toBuffer(xvaStream(input, { date }))
  })

  it('a single flipped byte in a chunk', async () => {
    const buf = Buffer.from(plain)
    const header = buf.indexOf('Ref:1000/00000000\0')
    buf[header + 512 + 1000] = buf[header + 512 + 1000]! ^ 0x01
    await expectFormatError(readXva(Readable.from([buf])), 'checksum-mismatch')
  })

  it('a truncated archive, plain or gzip, cut mid-entry or at an entry boundary', async () => {
    await expectFormatError(readXva(Readable.from([plain.subarray(0, 5 * MiB + 123)])), 'truncated')
    await expectFormatError(
      readXva(Readable.from([plain.subarray(0, plain.length - 1024)])),
      'truncated',
    )
    const gz = gzipSync(plain)
    await expectFormatError(readXva(Readable.from([gz.subarray(0, gz.length >> 1)])), 'truncated')
  })

  it('a tar without ova.xml, or with ova.xml not first', async () => {
    await writeFile(join(dir, 'a.txt'), 'hello')
    await writeFile(join(dir, 'ova.xml'), buildOvaXml(input.vm, []))
    const missing = join(dir, 'missing.tar')
    await run('tar', ['-cf', missing, '-C', dir, 'a.txt'])
    await expectFormatError(readXva(Readable.from([await readFile(missing)])), 'missing-ova-xml')
    const second = join(dir, 'second.tar')
    await run('tar', ['-cf', second, '-C', dir, 'a.txt', 'ova.xml'])
    await expectFormatError(readXva(createReadStream(second)), 'ova-xml-not-first')
  })

  it('something that is not a tar', async () => {
    await expectFormatError(readXva(Readable.from([Buffer.alloc(4096, 0x42)])), 'not-tar')
  })

  it('a chunk without its checksum entry', async () => {
    const vdi = { ref: 'Ref:1', uuid: 'u', name_label: 'd', virtualSize: MiB }
    const tar = packStream(async (pack) => {
      await addEntry(pack, 'ova.xml', Buffer.from(buildOvaXml(input.vm, [vdi])), date)
      await addEntry(pack, 'Ref:1/00000000', Buffer.alloc(MiB, 1), date)
    })
    await expectFormatError(readXva(tar), 'missing-checksum')
  })

  it('an unknown checksum kind, and chunks going backwards', async () => {
    const vdi = { ref: 'Ref:1', uuid: 'u', name_label: 'd', virtualSize: 2 * MiB }
    const one = Buffer.alloc(MiB, 1)
    const sum = Buffer.from(chunkChecksum('xxhash', one))
    const md5 = packStream(async (pack) => {
      await addEntry(pack, 'ova.xml', Buffer.from(buildOvaXml(input.vm, [vdi])), date)
      await addEntry(pack, 'Ref:1/00000000', one, date)
      await addEntry(pack, 'Ref:1/00000000.md5', Buffer.from('x'), date)
    })
    await expectFormatError(readXva(md5), 'unsupported-checksum')
    const backwards = packStream(async (pack) => {
      await addEntry(pack, 'ova.xml', Buffer.from(buildOvaXml(input.vm, [vdi])), date)
      await addEntry(pack, 'Ref:1/00000001', one, date)
      await addEntry(pack, 'Ref:1/00000001.xxhash', sum, date)
      await addEntry(pack, 'Ref:1/00000000', one, date)
      await addEntry(pack, 'Ref:1/00000000.xxhash', sum, date)
    })
    await expectFormatError(readXva(backwards), 'chunk-order')
  })
})

describe('readXva accepts what XAPI and XO really write', () => {
  it('zero-length keep-alive chunks and a last chunk padded to 1 MiB', async () => {
    const size = 3 * MiB + 4096
    const vdi = { ref: 'Ref:7', uuid: 'u', name_label: 'd', virtualSize: size }
    const content = Buffer.alloc(size)
    content.fill(9, 0, MiB)
    content.fill(3, 2 * MiB, 2 * MiB + 10)
    const put = async (pack: TarPack, n: number, data: Buffer): Promise<void> => {
      const name = `Ref:7/${String(n).padStart(8, '0')}`
      await addEntry(pack, name, data, date)
      await addEntry(pack, `${name}.xxhash`, Buffer.from(chunkChecksum('xxhash', data)), date)
    }
    const tar = packStream(async (pack) => {
      await addEntry(pack, 'ova.xml', Buffer.from(buildOvaXml(input.vm, [vdi])), date)
      await put(pack, 0, content.subarray(0, MiB))
      await put(pack, 1, Buffer.alloc(0)) // keep-alive: no progress
      await put(pack, 3, content.subarray(2 * MiB, 3 * MiB)) // one skipped zero chunk (suffix 2)
      const last = Buffer.alloc(XVA_CHUNK_SIZE) // XO pads the last chunk
      content.copy(last, 0, 3 * MiB)
      await put(pack, 4, last)
    })
    const info = await readXva(tar)
    expect(info.disks[0]?.digest).toBe(createHash('sha256').update(content).digest('hex'))
    expect(info.disks[0]?.chunks).toBe(4)
  })
})
