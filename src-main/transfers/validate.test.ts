// inspectImage on files made by real tools (qemu-img, GNU tar), intact and damaged.
import { copyFile, mkdir, open, readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { makeTempDir, run } from '../test-support/format-files'
import { inspectImage } from './validate'

let dir: string
let remove: () => Promise<void>
const signal = new AbortController().signal
const MiB = 1024 * 1024

beforeAll(async () => {
  ;({ dir, remove } = await makeTempDir('inspect'))
  const raw = join(dir, 'disk.raw')
  await writeFile(raw, Buffer.alloc(3 * MiB, 7))
  await truncate(raw, 8 * MiB)
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', raw, join(dir, 'dynamic.vhd')])
  await run('qemu-img', [
    ...['convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed'],
    ...[raw, join(dir, 'fixed.vhd')],
  ])
})
afterAll(() => remove())

async function failure(file: string): Promise<AppFailure> {
  const e: unknown = await inspectImage(file, signal).then(
    () => undefined,
    (err: unknown) => err,
  )
  if (!(e instanceof AppFailure)) throw new Error(`expected an AppFailure, got ${String(e)}`)
  return e
}

async function damaged(name: string, change: (path: string) => Promise<void>): Promise<string> {
  const path = join(dir, `bad-${Math.random().toString(36).slice(2)}-${name}`)
  await copyFile(join(dir, name), path)
  await change(path)
  return path
}

async function flip(path: string, offset: number): Promise<void> {
  const fh = await open(path, 'r+')
  const b = Buffer.alloc(1)
  await fh.read(b, 0, 1, offset)
  b[0] = b[0]! ^ 0xff
  await fh.write(b, 0, 1, offset)
  await fh.close()
}

const sizeOf = async (p: string): Promise<number> => (await readFile(p)).length

describe('inspectImage: intact files', () => {
  it('reads a dynamic VHD written by qemu-img', async () => {
    const info = await inspectImage(join(dir, 'dynamic.vhd'), signal)
    expect(info).toMatchObject({ kind: 'vhd', diskType: 'dynamic', creatorApp: 'qemu' })
    if (info.kind !== 'vhd') throw new Error('not a vhd')
    expect(info.virtualSize).toBeGreaterThanOrEqual(8 * MiB)
    expect(info.allocatedBlocks).toBeGreaterThan(0)
  })

  it('reads a fixed VHD written by qemu-img', async () => {
    const path = join(dir, 'fixed.vhd')
    const info = await inspectImage(path, signal)
    expect(info).toMatchObject({ kind: 'vhd', diskType: 'fixed' })
    if (info.kind !== 'vhd') throw new Error('not a vhd')
    expect(info.virtualSize).toBe((await sizeOf(path)) - 512)
  })

  it('reads a raw image', async () => {
    expect(await inspectImage(join(dir, 'disk.raw'), signal)).toMatchObject({
      kind: 'raw',
      virtualSize: 8 * MiB,
    })
  })
})

describe('inspectImage: damaged files name the field and the offset', () => {
  it('a flipped byte in the dynamic VHD footer copy at 0: its checksum', async () => {
    const e = await failure(await damaged('dynamic.vhd', (p) => flip(p, 40)))
    expect(e.appError.code).toBe('corrupt-file')
    expect(e.message).toMatch(/byte offset 64, field footer checksum/)
  })

  it('a flipped cookie byte in the fixed VHD footer at the end', async () => {
    const path = await damaged('fixed.vhd', async (p) => flip(p, (await sizeOf(p)) - 512))
    const end = (await sizeOf(path)) - 512
    const e = await failure(path)
    expect(e.message).toContain(`byte offset ${end}, field footer cookie`)
  })

  it('a wrong checksum in the dynamic header', async () => {
    const e = await failure(await damaged('dynamic.vhd', (p) => flip(p, 512 + 36)))
    expect(e.message).toMatch(/checksum.*byte offset 548, field dynamic header checksum/)
  })

  it('a truncated dynamic VHD: its end footer is gone', async () => {
    const path = await damaged('dynamic.vhd', async (p) => truncate(p, (await sizeOf(p)) - 300))
    const e = await failure(path)
    expect(e.appError.code).toBe('corrupt-file')
    expect(e.message).toMatch(/byte offset \d+, field footer/)
  })

  it('a truncated fixed VHD', async () => {
    const path = await damaged('fixed.vhd', async (p) => truncate(p, (await sizeOf(p)) - 4096))
    const e = await failure(path)
    expect(e.message).toMatch(/byte offset \d+, field footer cookie/)
  })

  it('a raw image whose size is not a multiple of 512', async () => {
    const path = await damaged('disk.raw', async (p) => truncate(p, 8 * MiB - 100))
    const e = await failure(path)
    expect(e.message).toContain(`byte offset ${8 * MiB - 512}, field file length`)
  })

  it('an XVA made by GNU tar whose first member is not ova.xml', async () => {
    const src = join(dir, 'xva-src')
    await mkdir(join(src, 'Ref:1'), { recursive: true })
    await writeFile(join(src, 'Ref:1', '00000000'), Buffer.alloc(512))
    await writeFile(join(src, 'ova.xml'), '<?xml version="1.0"?><value><struct/></value>')
    const xva = join(dir, 'wrong-order.xva')
    await run('tar', ['--format=ustar', '-cf', xva, '-C', src, 'Ref:1/00000000', 'ova.xml'])
    const e = await failure(xva)
    expect(e.appError.code).toBe('corrupt-file')
    expect(e.message).toMatch(/ova\.xml/)
    expect(e.message).toMatch(/byte offset \d+, field/)
  })

  it('an OVA made by GNU tar whose OVF is not readable', async () => {
    const src = join(dir, 'ova-src')
    await mkdir(src, { recursive: true })
    await writeFile(join(src, 'vm.ovf'), '<Envelope><VirtualSystem')
    await writeFile(join(src, 'disk1.vmdk'), Buffer.alloc(1024))
    const ova = join(dir, 'broken.ova')
    await run('tar', ['--format=ustar', '-cf', ova, '-C', src, 'vm.ovf', 'disk1.vmdk'])
    const e = await failure(ova)
    expect(e.appError.code).toBe('corrupt-file')
    expect(e.message).toMatch(/OVA: .*field tar entry vm\.ovf|OVA: .*byte offset/)
  })
})
