// The bench disks (`benchDisk`, `xo-desk sim --bench-disk`) as a client sees them over HTTP: their
// exports, raw and VHD, and imports into them and beside them.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qemuInfo, run } from '../test-support/format-files'
import { startSimulator, type RunningSimulator } from './server'

const MiB = 1024 * 1024
const SIZE = 8 * MiB
let sim: RunningSimulator
let dir: string
const cookie = () => ({ cookie: `authenticationToken=${sim.token}` })

beforeAll(async () => {
  sim = await startSimulator({ seed: 'bench-disks', life: false, benchDisk: SIZE })
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-bench-disks-'))
})
afterAll(async () => {
  await sim.close()
  await rm(dir, { recursive: true, force: true })
})

const bench = () => {
  const disks = sim.lab.benchDisks
  if (!disks) throw new Error('no bench disks')
  return disks
}

async function get(path: string): Promise<{ status: number; body: Buffer; length?: string }> {
  const res = await request(`${sim.url}${path}`, { headers: cookie() })
  const body = Buffer.from(await res.body.arrayBuffer())
  const length = res.headers['content-length']
  return { status: res.statusCode, body, ...(typeof length === 'string' ? { length } : {}) }
}

async function send(method: 'PUT' | 'POST', path: string, body: Buffer): Promise<number> {
  const res = await request(`${sim.url}${path}`, {
    method,
    headers: { ...cookie(), 'content-length': String(body.length) },
    body,
  })
  await res.body.dump()
  return res.statusCode
}

function zeroSectors(buf: Buffer): number {
  const zero = Buffer.alloc(512)
  let n = 0
  for (let at = 0; at < buf.length; at += 512) if (buf.subarray(at, at + 512).equals(zero)) n++
  return n
}

const nonZeroBytes = (buf: Buffer): number => buf.reduce((n, b) => n + (b === 0 ? 0 : 1), 0)

describe('bench disks', () => {
  it('puts bench-disk and bench-sparse of the given size on the first pool default SR', async () => {
    const pool = (await get('/pools?fields=default_SR')).body
    const [first] = JSON.parse(pool.toString()) as { default_SR: string }[]
    const listed = JSON.parse(
      (await get('/vdis?fields=name_label,size,$SR&filter=name_label:bench')).body.toString(),
    ) as { name_label: string; size: number; $SR: string }[]
    const byName = new Map(listed.map((v) => [v.name_label, v]))
    for (const name of ['bench-disk', 'bench-sparse']) {
      expect(byName.get(name)).toMatchObject({ size: SIZE, $SR: first?.default_SR })
    }
  })

  it('exports bench-disk raw as exactly SIZE bytes of data, no sector of zeros', async () => {
    const res = await get(`/vdis/${bench().disk.id}.raw`)
    expect(res.status).toBe(200)
    expect(res.length).toBe(String(SIZE))
    expect(res.body.length).toBe(SIZE)
    expect(zeroSectors(res.body)).toBe(0)
    // The same bytes on every export.
    expect((await get(`/vdis/${bench().disk.id}.raw`)).body.equals(res.body)).toBe(true)
  })

  it('exports bench-sparse raw as SIZE bytes of which about a sixteenth is data', async () => {
    const res = await get(`/vdis/${bench().sparse.id}.raw`)
    expect(res.body.length).toBe(SIZE)
    const data = nonZeroBytes(res.body)
    expect(data).toBeGreaterThan(0.9 * (SIZE / 16))
    expect(data).toBeLessThanOrEqual(SIZE / 16)
  })

  it('exports both as VHDs that qemu-img reads back to the raw bytes', async () => {
    for (const vdi of [bench().disk, bench().sparse]) {
      const vhd = join(dir, `${vdi.id}.vhd`)
      const raw = join(dir, `${vdi.id}.raw`)
      await writeFile(vhd, (await get(`/vdis/${vdi.id}.vhd`)).body)
      expect((await qemuInfo(vhd, 'vpc'))['virtual-size']).toBe(SIZE)
      await run('qemu-img', ['convert', '-f', 'vpc', '-O', 'raw', vhd, raw])
      expect((await readFile(raw)).equals((await get(`/vdis/${vdi.id}.raw`)).body)).toBe(true)
    }
  })

  it('keeps what is imported into bench-disk: its export gives back the imported bytes', async () => {
    const sparse = (await get(`/vdis/${bench().sparse.id}.raw`)).body
    expect(await send('PUT', `/vdis/${bench().disk.id}.raw`, sparse)).toBe(204)
    expect((await get(`/vdis/${bench().disk.id}.raw`)).body.equals(sparse)).toBe(true)
    // Imported again: the newer content wins.
    const other = Buffer.alloc(SIZE, 0x5a)
    expect(await send('PUT', `/vdis/${bench().disk.id}.raw`, other)).toBe(204)
    expect((await get(`/vdis/${bench().disk.id}.raw`)).body.equals(other)).toBe(true)
  })

  it('imports an export of bench-sparse as a new raw VDI on its SR, the same bytes', async () => {
    const raw = (await get(`/vdis/${bench().sparse.id}.raw`)).body
    const sr = String(bench().sparse['$SR'])
    const res = await request(`${sim.url}/srs/${sr}/vdis?raw=true&name_label=copy`, {
      method: 'POST',
      headers: { ...cookie(), 'content-length': String(raw.length) },
      body: raw,
    })
    expect(res.statusCode).toBe(201)
    const { id } = (await res.body.json()) as { id: string }
    expect((await get(`/vdis/${id}.raw`)).body.equals(raw)).toBe(true)
  })
})
