import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deterministicDisk, diskDigest } from './disk-content'
import { FormatError } from './format-error'
import { buildOvf, ovaStream, readOva } from './ova'
import { rawStream } from './raw'
import {
  countingDisk,
  fileDigest,
  makeTempDir,
  qemuInfo,
  readThenStop,
  run,
  writeFileFrom,
} from '../test-support/format-files'
import type { XvaInput } from './xva'

const MiB = 1024 * 1024
let dir = ''
let remove: () => Promise<void> = async () => {}
beforeAll(async () => {
  ;({ dir, remove } = await makeTempDir('ova'))
})
afterAll(() => remove())

const date = new Date('2026-05-06T07:08:09Z')
const input: XvaInput = {
  vm: {
    name_label: 'db server',
    name_description: 'PostgreSQL & friends',
    uuid: '7d0c1e55-0000-4000-8000-0000000000aa',
    memory: 3 * 1024 * MiB,
    CPUs: 4,
  },
  disks: [
    {
      vdiUuid: '7d0c1e55-0000-4000-8000-0000000000d1',
      name_label: 'system',
      disk: deterministicDisk({ seed: 'ova', id: 'system', size: 20 * MiB }),
    },
    {
      vdiUuid: '7d0c1e55-0000-4000-8000-0000000000d2',
      name_label: 'data',
      disk: deterministicDisk({ seed: 'ova', id: 'data', size: 6 * MiB + 1536 }),
    },
  ],
}

async function expectFormatError(p: Promise<unknown>, reason: string): Promise<void> {
  const e: unknown = await p.then(
    () => null,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(FormatError)
  expect((e as FormatError).reason).toBe(reason)
  expect((e as FormatError).message.length).toBeGreaterThan(15)
}

describe('ovaStream', () => {
  let path = ''
  let extracted = ''
  beforeAll(async () => {
    path = join(dir, 'vm.ova')
    await writeFileFrom(ovaStream(input, { date }), path)
    extracted = join(dir, 'x')
    await mkdir(extracted)
    await run('tar', ['-xf', path, '-C', extracted])
  })

  it('is listed by GNU tar with the .ovf descriptor first, then the VMDKs', async () => {
    const names = (await run('tar', ['-tvf', path]))
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/).at(-1))
    expect(names).toEqual(['db_server.ovf', 'db_server-disk1.vmdk', 'db_server-disk2.vmdk'])
  })

  it('has VMDKs that qemu-img reads as vmdk with the right size and content', async () => {
    for (const [i, d] of input.disks.entries()) {
      const vmdk = join(extracted, `db_server-disk${i + 1}.vmdk`)
      const info = await qemuInfo(vmdk)
      expect(info.format).toBe('vmdk')
      expect(info['virtual-size']).toBe(d.disk.size)
      expect(info['format-specific']?.data['create-type']).toBe('streamOptimized')
      await run('qemu-img', ['check', vmdk])
      const raw = join(dir, `disk${i}.raw`)
      await run('qemu-img', ['convert', '-O', 'raw', vmdk, raw])
      expect(await fileDigest(raw)).toBe(await diskDigest(d.disk))
    }
  })

  it('describes the VM and its disks in the OVF, with exact file sizes', async () => {
    const ovf = await readFile(join(extracted, 'db_server.ovf'), 'utf8')
    expect(ovf).toContain('<Name>db server</Name>')
    expect(ovf).toContain('PostgreSQL &amp; friends')
    const size = (await stat(join(extracted, 'db_server-disk2.vmdk'))).size
    expect(ovf).toContain(`ovf:href="db_server-disk2.vmdk" ovf:id="file2" ovf:size="${size}"`)
    expect(ovf).toContain(`ovf:capacity="${6 * MiB + 1536}"`)
  })

  it('is verified by readOva, whose digests equal diskDigest', async () => {
    const info = await readOva(createReadStream(path))
    expect(info.descriptor).toMatchObject({ name: 'db server', CPUs: 4, memory: 3 * 1024 * MiB })
    expect(info.manifest).toBe('absent')
    expect(info.disks.map((d) => [d.name, d.format, d.variant, d.virtualSize])).toEqual([
      ['db_server-disk1.vmdk', 'vmdk', 'streamOptimized', 20 * MiB],
      ['db_server-disk2.vmdk', 'vmdk', 'streamOptimized', 6 * MiB + 1536],
    ])
    expect(info.disks.map((d) => d.digest)).toEqual(
      await Promise.all(input.disks.map((d) => diskDigest(d.disk))),
    )
  })

  it('reads a streamOptimized VMDK written by qemu-img, and checks a manifest', async () => {
    const disk = input.disks[0]!.disk
    const work = join(dir, 'qemu-ova')
    await mkdir(work)
    const raw = join(work, 'src.raw')
    await writeFileFrom(rawStream(disk), raw)
    const vmdk = join(work, 'q.vmdk')
    await run('qemu-img', ['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, vmdk])
    const size = (await stat(vmdk)).size
    const one = { ...input, disks: [input.disks[0]!] }
    const ovf = buildOvf(one, [
      { file: 'q.vmdk', capacity: disk.size, size, populatedSize: size, label: 'q' },
    ])
    await writeFile(join(work, 'q.ovf'), ovf)
    const sha = createHash('sha256')
      .update(await readFile(vmdk))
      .digest('hex')
    await writeFile(join(work, 'q.mf'), `SHA256(q.vmdk)= ${sha}\n`)
    const ova = join(work, 'q.ova')
    await run('tar', ['-cf', ova, '-C', work, 'q.ovf', 'q.mf', 'q.vmdk'])
    const info = await readOva(createReadStream(ova))
    expect(info.manifest).toBe('verified')
    expect(info.disks[0]?.digest).toBe(await diskDigest(disk))

    await writeFile(join(work, 'q.mf'), `SHA256(q.vmdk)= ${'0'.repeat(64)}\n`)
    await run('tar', ['-cf', ova, '-C', work, 'q.ovf', 'q.mf', 'q.vmdk'])
    await expectFormatError(readOva(createReadStream(ova)), 'checksum-mismatch')
  })
})

describe('ovaStream with a slow consumer', () => {
  it('reads each disk once to plan it, then pauses while its consumer does', async () => {
    const big = countingDisk(deterministicDisk({ seed: 'slow', id: 'o', size: 64 * MiB }))
    const stream = ovaStream({ vm: input.vm, disks: [{ ...input.disks[0]!, disk: big.disk }] })
    const allocated = Array.from({ length: 32 }, (_, i) => big.disk.isAllocated(i)).filter(Boolean)
    await readThenStop(stream, 64 * 1024)
    expect(big.reads()).toBeLessThanOrEqual(allocated.length + 3)
  })
})

describe('readOva refuses bad archives', () => {
  let ova: Buffer = Buffer.alloc(0)
  beforeAll(async () => {
    const parts: Buffer[] = []
    for await (const c of ovaStream(input, { date })) parts.push(c as Buffer)
    ova = Buffer.concat(parts)
  })

  it('a damaged grain inside a VMDK', async () => {
    const buf = Buffer.from(ova)
    const vmdkHeader = buf.indexOf('db_server-disk1.vmdk\0')
    const firstGrain = vmdkHeader + 512 + 512 * 2 // tar header, VMDK header, descriptor sector
    buf[firstGrain + 4000] = buf[firstGrain + 4000]! ^ 0x20
    await expectFormatError(readOva(Readable.from([buf])), 'bad-vmdk')
  })

  it('a truncated archive', async () => {
    await expectFormatError(readOva(Readable.from([ova.subarray(0, ova.length >> 1)])), 'truncated')
  })

  it('no descriptor, a descriptor not first, a missing disk, not a tar', async () => {
    const work = join(dir, 'bad')
    await mkdir(work)
    await writeFile(join(work, 'a.vmdk'), Buffer.alloc(1024))
    await writeFile(
      join(work, 'vm.ovf'),
      buildOvf(input, [
        { file: 'a.vmdk', capacity: 1024, size: 1024, populatedSize: 0, label: 'a' },
      ]),
    )
    const tarOf = async (...files: string[]): Promise<Readable> => {
      const out = join(work, `${files.join('+')}.tar`)
      await run('tar', ['-cf', out, '-C', work, ...files])
      return createReadStream(out)
    }
    await expectFormatError(readOva(await tarOf('a.vmdk')), 'missing-ovf')
    await expectFormatError(readOva(await tarOf('a.vmdk', 'vm.ovf')), 'ovf-not-first')
    await expectFormatError(readOva(await tarOf('vm.ovf')), 'missing-disk')
    await expectFormatError(readOva(Readable.from([Buffer.alloc(2048, 0x33)])), 'not-tar')
  })
})
