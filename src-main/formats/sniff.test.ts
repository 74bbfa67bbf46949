import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deterministicDisk } from './disk-content'
import { ovaStream } from './ova'
import { SNIFF_BYTES, sniffFormat } from './sniff'
import { makeTempDir, run } from '../test-support/format-files'
import { vhdStream } from './vhd'
import { type XvaInput, xvaStream } from './xva'

let dir = ''
let remove: () => Promise<void> = async () => {}
beforeAll(async () => {
  ;({ dir, remove } = await makeTempDir('sniff'))
})
afterAll(() => remove())

const disk = deterministicDisk({ seed: 'sniff', id: 'd', size: 4 * 1024 * 1024 })
const input: XvaInput = {
  vm: { name_label: 'v', uuid: '11111111-2222-4333-8444-555555555555', memory: 1 << 30, CPUs: 1 },
  disks: [{ vdiUuid: '11111111-2222-4333-8444-666666666666', name_label: 'd', disk }],
}

/** The first bytes of a stream, as an uploader would read them before choosing a route. */
async function head(stream: Readable, n = SNIFF_BYTES): Promise<Buffer> {
  const parts: Buffer[] = []
  let have = 0
  for await (const c of stream) {
    parts.push(c as Buffer)
    have += (c as Buffer).length
    if (have >= n) break
  }
  stream.destroy()
  return Buffer.concat(parts).subarray(0, n)
}

describe('sniffFormat', () => {
  it('recognises our VHD, XVA (plain, gzip, zstd) and OVA from their first bytes', async () => {
    expect(sniffFormat(await head(vhdStream(disk).stream))).toBe('vhd')
    expect(sniffFormat(await head(xvaStream(input)))).toBe('xva')
    expect(sniffFormat(await head(xvaStream(input, { compress: 'gzip' })))).toBe('xva')
    expect(sniffFormat(await head(xvaStream(input, { compress: 'zstd' })))).toBe('xva')
    expect(sniffFormat(await head(ovaStream(input)))).toBe('ova')
  })

  it('finds the first entry behind a GNU long-name header', async () => {
    const work = join(dir, 'long')
    await mkdir(work)
    const name = `${'a'.repeat(120)}.ovf`
    await writeFile(join(work, name), '<Envelope/>')
    const tar = join(dir, 'long.ova')
    await run('tar', ['-cf', tar, '-C', work, name])
    expect(sniffFormat(await readFile(tar))).toBe('ova')
  })

  it('uses the name only where the bytes cannot tell', () => {
    const noise = Buffer.alloc(4096, 0x5a)
    expect(sniffFormat(noise, 'disk.IMG')).toBe('raw')
    expect(sniffFormat(noise, 'disk.raw')).toBe('raw')
    expect(sniffFormat(noise, 'fixed.vhd')).toBe('vhd') // a fixed VHD's footer is at the end
    expect(sniffFormat(noise)).toBe('unknown')
    expect(sniffFormat(noise, 'notes.txt')).toBe('unknown')
    expect(sniffFormat(Buffer.alloc(0))).toBe('unknown')
  })

  it('does not call an unrelated tar an XVA or OVA', async () => {
    const work = join(dir, 'other')
    await mkdir(work)
    await writeFile(join(work, 'readme.txt'), 'hi')
    const tar = join(dir, 'other.tar')
    await run('tar', ['-cf', tar, '-C', work, 'readme.txt'])
    expect(sniffFormat(await readFile(tar), 'other.xva')).toBe('unknown')
    const broken = await readFile(tar)
    broken[10] = 0x41 // header checksum no longer matches
    expect(sniffFormat(broken)).toBe('unknown')
  })
})
