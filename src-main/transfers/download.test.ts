// Exports against the simulator end under their final name, checked by the real tools.
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOva, readVhd, readXva } from '../formats'
import { createReadStream } from 'node:fs'
import { startExportLab, type ExportLab } from '../test-support/export-lab'
import { XoClient } from '../xo/client'
import { exportToFile } from './download'
import type { TransferProgress } from './progress'
import type { ExportSidecar } from './sidecar'

let lab: ExportLab
let dir: string
let client: XoClient

beforeAll(async () => {
  lab = await startExportLab(16 * 1024 * 1024, 1024 * 1024)
  client = new XoClient({ baseUrl: lab.sim.url, token: () => lab.sim.token })
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-export-'))
})
afterAll(async () => {
  await client.close()
  await lab.sim.close()
  await rm(dir, { recursive: true, force: true })
})

/** `sha256sum -c` run where the files are, as a user would. */
function sha256sumAccepts(file: string): string {
  return execFileSync('sha256sum', ['-c', `${basename(file)}.sha256`], {
    cwd: dir,
    encoding: 'utf8',
  })
}

async function sidecarOf(file: string): Promise<ExportSidecar> {
  return JSON.parse(await readFile(`${file}.xodesk.json`, 'utf8')) as ExportSidecar
}

async function leftovers(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.part'))
}

describe('exportToFile', () => {
  it('exports a VM as an XVA that tar lists, with a .sha256 sha256sum accepts and a sidecar', async () => {
    const file = join(dir, 'vm.xva')
    const result = await exportToFile({
      client,
      path: `/vms/${lab.vm.id}.xva`,
      file,
      expect: { format: 'xva' },
      source: lab.vmSource,
    })
    expect(result.file).toBe(file)
    const listing = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n')
    expect(listing[0]).toBe('ova.xml')
    expect(sha256sumAccepts(file)).toMatch(/vm\.xva: OK/)
    expect(await readFile(`${file}.sha256`, 'utf8')).toBe(`${result.sha256}  vm.xva\n`)
    const sidecar = await sidecarOf(file)
    expect(sidecar).toMatchObject({
      source: { url: lab.sim.url, pool: lab.vmSource.pool },
      object: { type: 'VM', uuid: lab.vmSource.object.uuid, name: lab.vmSource.object.name },
      format: 'xva',
      compression: 'none',
      size: (await stat(file)).size,
      sha256: result.sha256,
    })
    expect(sidecar.xoDesk.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(await leftovers()).toEqual([])
  })

  it('exports a gzip XVA that tar -z lists and the XVA reader accepts', async () => {
    const file = join(dir, 'vm.xva.gz')
    await exportToFile({
      client,
      path: `/vms/${lab.vm.id}.xva`,
      query: { compress: 'gzip' },
      file,
      expect: { format: 'xva', compression: 'gzip' },
      source: lab.vmSource,
    })
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n')[0]).toBe('ova.xml')
    await readXva(createReadStream(file))
    expect(sha256sumAccepts(file)).toMatch(/OK/)
    expect((await sidecarOf(file)).compression).toBe('gzip')
  })

  it('exports a VM as an OVA, .ovf first', async () => {
    const file = join(dir, 'vm.ova')
    await exportToFile({
      client,
      path: `/vms/${lab.vm.id}.ova`,
      file,
      expect: { format: 'ova' },
      source: lab.vmSource,
    })
    expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n')[0]).toMatch(
      /\.ovf$/,
    )
    await readOva(createReadStream(file))
    expect(sha256sumAccepts(file)).toMatch(/OK/)
    expect((await sidecarOf(file)).format).toBe('ova')
  })

  it('exports a VDI as a VHD that qemu-img reads at the VDI size', async () => {
    const file = join(dir, 'disk.vhd')
    await exportToFile({
      client,
      path: `/vdis/${lab.vdi.id}.vhd`,
      file,
      expect: { format: 'vhd' },
      source: lab.vdiSource,
    })
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', file], { encoding: 'utf8' }),
    ) as { format: string; 'virtual-size': number }
    expect(info).toMatchObject({ format: 'vpc', 'virtual-size': Number(lab.vdi['size']) })
    await readVhd(file)
    expect(sha256sumAccepts(file)).toMatch(/OK/)
    expect(await sidecarOf(file)).toMatchObject({ format: 'vhd', object: { type: 'VDI' } })
  })

  it('exports a VDI as a sparse raw file equal to the server bytes', async () => {
    const file = join(dir, 'disk.raw')
    await exportToFile({
      client,
      path: `/vdis/${lab.vdi.id}.raw`,
      file,
      expect: { format: 'raw', size: Number(lab.vdi['size']) },
      source: lab.vdiSource,
    })
    const st = await stat(file)
    expect(st.size).toBe(Number(lab.vdi['size']))
    // 1 MiB of data on a 16 MiB disk: the zero runs are holes.
    expect(st.blocks * 512).toBeLessThan(st.size / 2)
    const plain = join(dir, 'server.raw')
    const res = await request(`${lab.sim.url}/vdis/${lab.vdi.id}.raw`, {
      headers: { cookie: `authenticationToken=${lab.sim.token}` },
    })
    await pipeline(res.body, createWriteStream(plain))
    execFileSync('cmp', [file, plain])
    expect(sha256sumAccepts(file)).toMatch(/disk\.raw: OK/)
  })

  it('exports without a checksum when told: no .sha256, the sidecar says none', async () => {
    const file = join(dir, 'unchecked.raw')
    const result = await exportToFile({
      client,
      path: `/vdis/${lab.vdi.id}.raw`,
      file,
      expect: { format: 'raw', size: Number(lab.vdi['size']) },
      source: lab.vdiSource,
      checksum: false,
    })
    expect(result.sha256).toBeUndefined()
    expect(result.sha256File).toBeUndefined()
    expect((await readdir(dir)).filter((f) => f.startsWith('unchecked.raw')).sort()).toEqual([
      'unchecked.raw',
      'unchecked.raw.xodesk.json',
    ])
    expect(await sidecarOf(file)).toMatchObject({
      format: 'raw',
      size: Number(lab.vdi['size']),
      sha256: null,
    })
    expect(await leftovers()).toEqual([])
  })

  it('retries a dropped export from the start and ends complete, progress starting over', async () => {
    lab.sim.faults.next('GET', `/vms/${lab.vm.id}.xva`, { kind: 'drop-after', bytes: 300_000 })
    const reports: TransferProgress[] = []
    const file = join(dir, 'retried.xva')
    const result = await exportToFile({
      client,
      path: `/vms/${lab.vm.id}.xva`,
      file,
      expect: { format: 'xva' },
      source: lab.vmSource,
      retries: 1,
      retryDelayMs: 0,
      progressIntervalMs: 0,
      onProgress: (p) => reports.push(p),
    })
    expect(result.attempts).toBe(2)
    const firstTry = reports.filter((p) => p.attempt === 1)
    expect(Math.max(...firstTry.map((p) => p.bytes))).toBeGreaterThan(0)
    const secondStart = reports.findIndex((p) => p.attempt === 2)
    expect(reports[secondStart]?.bytes).toBe(0)
    expect(reports.at(-1)).toMatchObject({ attempt: 2, done: true, bytes: result.size })
    expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n')[0]).toBe('ova.xml')
    expect(sha256sumAccepts(file)).toMatch(/OK/)
    expect(await leftovers()).toEqual([])
  })
})
