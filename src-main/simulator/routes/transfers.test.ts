// Exports are real files that real tools read; imports check uploads and create what they describe.
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diskDigest } from '../../formats/disk-content'
import type { XoRecord } from '../lab/types'
import { startSimulator, type RunningSimulator } from '../server'
import { vdisOf } from './collections'

let sim: RunningSimulator
let dir: string
const cookie = () => ({ cookie: `authenticationToken=${sim.token}` })

beforeAll(async () => {
  sim = await startSimulator({
    seed: 'transfers',
    life: false,
    actionDelayMs: 5,
    diskDataBytes: 6 * 1024 * 1024,
  })
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-transfers-'))
})
afterAll(async () => {
  await sim.close()
  await rm(dir, { recursive: true, force: true })
})

async function download(path: string, file: string) {
  const res = await request(`${sim.url}${path}`, { headers: cookie() })
  await pipeline(res.body, createWriteStream(join(dir, file)))
  return { status: res.statusCode, headers: res.headers, path: join(dir, file) }
}

async function upload(
  method: 'PUT' | 'POST',
  path: string,
  file: string,
  headers: Record<string, string> = {},
) {
  const body = await readFile(file)
  const res = await request(`${sim.url}${path}`, {
    method,
    headers: {
      ...cookie(),
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
      ...headers,
    },
    body,
  })
  const text = await res.body.text()
  return {
    status: res.statusCode,
    headers: res.headers,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  }
}

/**
 * A VM with disks, shrunk to 8 MiB each: lab disks have real sizes (tens of GiB), and hashing that
 * many zeros on both sides of a round trip would dominate the test's time.
 */
function vmWithDisks(): XoRecord {
  const vm = [...sim.lab.store.list('vms')].find((v) =>
    vdisOf(sim.lab, v).some((d) => d.collection === 'vdis'),
  )
  if (!vm) throw new Error('no VM with disks')
  for (const { collection, record } of vdisOf(sim.lab, vm)) {
    if (Number(record['size']) > 8 * 1024 * 1024)
      sim.lab.store.update(collection, record.id, { size: 8 * 1024 * 1024 })
  }
  return vm
}

function otherSr(vdi: XoRecord): XoRecord {
  const sr = [...sim.lab.store.list('srs')].find(
    (s) => s.id !== vdi['$SR'] && s['content_type'] === 'user' && s['$pool'] === vdi['$pool'],
  )
  if (!sr) throw new Error('no other SR')
  return sr
}

describe('exports', () => {
  it('exports a VM as an XVA that tar lists, ova.xml first, as an attachment named by id', async () => {
    const vm = vmWithDisks()
    const res = await download(`/vms/${vm.id}.xva`, 'vm.xva')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/octet-stream')
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${vm.id}.xva`)
    expect(res.headers['content-length']).toBeUndefined()
    const listing = execFileSync('tar', ['-tvf', res.path], { encoding: 'utf8' }).trim().split('\n')
    expect(listing[0]).toMatch(/ ova\.xml$/)
    expect(listing.some((l) => / Ref:\d+\/00000000$/.test(l))).toBe(true)
  })

  it('exports a zstd-compressed XVA when asked', async () => {
    const res = await download(`/vms/${vmWithDisks().id}.xva?compress=zstd`, 'vm.xva.zst')
    const head = (await readFile(res.path)).subarray(0, 4)
    expect(head.toString('hex')).toBe('28b52ffd') // zstd frame magic
  })

  it('exports a VDI as a dynamic VHD that qemu-img reads at the VDI size, with its Content-Length', async () => {
    const vdi = vdisOf(sim.lab, vmWithDisks()).find((d) => d.collection === 'vdis')
      ?.record as XoRecord
    const res = await download(`/vdis/${vdi.id}.vhd`, 'disk.vhd')
    expect(Number(res.headers['content-length'])).toBe((await stat(res.path)).size)
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', res.path], { encoding: 'utf8' }),
    ) as {
      format: string
      'virtual-size': number
    }
    expect(info.format).toBe('vpc')
    expect(info['virtual-size']).toBe(Number(vdi['size']))
  })

  it('refuses an unknown export format with 422', async () => {
    const res = await request(
      `${sim.url}/vdis/${vdisOf(sim.lab, vmWithDisks())[0]?.record.id}.qcow2`,
      { headers: cookie() },
    )
    expect(res.statusCode).toBe(422)
    await res.body.dump()
  })
})

describe('imports', () => {
  it('imports an exported VHD into another SR as a new VDI with the same content', async () => {
    const vdi = vdisOf(sim.lab, vmWithDisks()).find((d) => d.collection === 'vdis')
      ?.record as XoRecord
    const file = await download(`/vdis/${vdi.id}.vhd`, 'roundtrip.vhd')
    const sr = otherSr(vdi)
    const res = await upload('POST', `/srs/${sr.id}/vdis?name_label=restored`, file.path)
    expect(res.status).toBe(201)
    const { id } = res.json as { id: string }
    expect(res.headers['location']).toBe(`/rest/v0/vdis/${id}`)
    const created = sim.lab.store.get('vdis', id) as XoRecord
    expect(created).toMatchObject({ name_label: 'restored', $SR: sr.id, size: vdi['size'] })
    expect(sim.lab.store.get('srs', sr.id)?.['VDIs']).toContain(id)
    expect(await sim.lab.disks.importedDigest(id)).toBe(
      await diskDigest(sim.lab.disks.contentOf(vdi)),
    )
  })

  it('imports an exported XVA into a pool and SR: a new VM whose disks hold the same content', async () => {
    const vm = vmWithDisks()
    const file = await download(`/vms/${vm.id}.xva`, 'roundtrip.xva')
    const disks = vdisOf(sim.lab, vm).filter((d) => d.collection === 'vdis')
    const sr = otherSr(disks[0]?.record as XoRecord)
    const res = await upload('POST', `/pools/${vm['$pool']}/vms?sr=${sr.id}`, file.path)
    expect(res.status).toBe(201)
    const { id } = res.json as { id: string }
    expect(res.headers['location']).toBe(`/rest/v0/vms/${id}`)
    const imported = sim.lab.store.get('vms', id) as XoRecord
    expect(imported).toMatchObject({
      name_label: vm['name_label'],
      power_state: 'Halted',
      $pool: vm['$pool'],
    })
    const importedDisks = vdisOf(sim.lab, imported)
    expect(importedDisks.map((d) => d.record['$SR'])).toEqual(disks.map(() => sr.id))
    const expected = await Promise.all(
      disks.map((d) => diskDigest(sim.lab.disks.contentOf(d.record))),
    )
    const digests = importedDisks.map((d) => sim.lab.disks.importedDigest(d.record.id))
    expect(await Promise.all(digests)).toEqual(expected)
  })

  it('refuses a damaged XVA with a readable XAPI error and creates nothing', async () => {
    const vm = vmWithDisks()
    const file = await download(`/vms/${vm.id}.xva`, 'damaged.xva')
    const bytes = await readFile(file.path)
    const at = bytes.length - 5000 // inside the last chunks, whose checksum no longer matches
    bytes[at] = (bytes[at] ?? 0) ^ 0xff
    await writeFile(file.path, bytes)
    const before = sim.lab.store.count('vms')
    const res = await upload('POST', `/pools/${vm['$pool']}/vms`, file.path)
    expect(res.status).toBe(500)
    expect(res.json).toMatchObject({
      error: expect.stringMatching(/^IMPORT_ERROR\(/),
      info: expect.any(String),
    })
    expect(sim.lab.store.count('vms')).toBe(before)
  })

  it('refuses raw content whose size differs from the VDI, before changing anything', async () => {
    const vdi = vdisOf(sim.lab, vmWithDisks()).find((d) => d.collection === 'vdis')
      ?.record as XoRecord
    await writeFile(join(dir, 'small.raw'), Buffer.alloc(1024 * 1024, 7))
    const res = await upload('PUT', `/vdis/${vdi.id}.raw`, join(dir, 'small.raw'))
    expect(res.status).toBe(500)
    expect(res.json).toMatchObject({ error: expect.stringMatching(/VDI_IO_ERROR/) })
    expect(await sim.lab.disks.importedDigest(vdi.id)).toBeUndefined()
  })

  it('refuses an upload without Content-Length, as XO does (500)', async () => {
    const sr = [...sim.lab.store.list('srs')].find((s) => s['content_type'] === 'user') as XoRecord
    const res = await request(`${sim.url}/srs/${sr.id}/vdis?raw=true`, {
      method: 'POST',
      headers: { ...cookie(), 'content-type': 'application/octet-stream' },
      body: Readable.from([Buffer.alloc(512)]), // streamed: no Content-Length
    })
    expect(res.statusCode).toBe(500)
    expect(await res.body.json()).toMatchObject({
      error: expect.stringMatching(/without a length/),
    })
  })
})
