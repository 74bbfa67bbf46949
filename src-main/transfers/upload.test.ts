// The import engine against the simulator: real files in, real objects out; nothing sent when the
// file or the target is wrong.
import { open, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import type { XoRecord } from '../simulator/lab/types'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { makeTempDir, run } from '../test-support/format-files'
import { exportedXva, userSr } from '../test-support/import-files'
import { XoClient } from '../xo/client'
import { type ImportProgress, importImage } from './upload'

const MiB = 1024 * 1024
let sim: RunningSimulator
let client: XoClient
let dir: string
let remove: () => Promise<void>
const signal = new AbortController().signal

const importRequests = (): string[] =>
  sim.lab.requests.filter((r) => /^(POST \/(pools|srs)\/|PUT \/vdis\/)/.test(r))

async function refusal(p: Promise<unknown>): Promise<AppFailure> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  if (!(e instanceof AppFailure)) throw new Error(`expected an AppFailure, got ${String(e)}`)
  return e
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 'imports', life: false, diskDataBytes: 2 * MiB })
  client = new XoClient({ baseUrl: sim.url, token: () => sim.token })
  ;({ dir, remove } = await makeTempDir('imports'))
  const raw = join(dir, 'disk.raw')
  await writeFile(raw, Buffer.alloc(3 * MiB, 9))
  await truncate(raw, 8 * MiB)
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', raw, join(dir, 'disk.vhd')])
})
afterAll(async () => {
  await client.close()
  await sim.close()
  await remove()
})
beforeEach(() => {
  sim.lab.requests.length = 0
})

describe('importImage', () => {
  it('imports an XVA into the pool of the chosen SR and the VM appears', async () => {
    const file = join(dir, 'vm.xva')
    const source = await exportedXva(sim, file)
    const sr = userSr(sim)
    const seen: ImportProgress[] = []
    const result = await importImage(
      client,
      { file, target: { kind: 'vm', sr: sr.id }, onProgress: (p) => seen.push(p) },
      signal,
    )
    expect(result.collection).toBe('vms')
    const vm = sim.lab.store.get('vms', result.id)
    expect(vm?.['name_label']).toBe(source['name_label'])
    expect(result.image.kind).toBe('xva')
    const last = seen.at(-1)
    expect(last).toMatchObject({ phase: 'uploading' })
    expect(last?.sent).toBe(last?.total)
    expect(importRequests()).toEqual([`POST /pools/${String(sr['$pool'])}/vms?sr=${sr.id}`])
  })

  it('imports a qemu-img VHD as a new VDI with its name and description', async () => {
    const sr = userSr(sim)
    const result = await importImage(
      client,
      {
        file: join(dir, 'disk.vhd'),
        target: { kind: 'new-vdi', sr: sr.id, name: 'from qemu', description: 'a test' },
      },
      signal,
    )
    const vdi = sim.lab.store.get('vdis', result.id)
    expect(vdi).toMatchObject({ name_label: 'from qemu', name_description: 'a test', $SR: sr.id })
    expect(result.bytesSent).toBe(result.image.fileSize)
  })

  it('imports a raw image into an existing VDI of exactly its size', async () => {
    const vdi = [...sim.lab.store.list('vdis')][0] as XoRecord
    sim.lab.store.update('vdis', vdi.id, { size: 8 * MiB })
    const result = await importImage(
      client,
      { file: join(dir, 'disk.raw'), target: { kind: 'existing-vdi', vdi: vdi.id } },
      signal,
    )
    expect(result).toMatchObject({ id: vdi.id, bytesSent: 8 * MiB })
    expect(importRequests()).toEqual([`PUT /vdis/${vdi.id}.raw`])
  })

  it('returns the SHA-256 of the bytes sent, the digest sha256sum gives the file, unless told not to', async () => {
    const vdi = [...sim.lab.store.list('vdis')][2] as XoRecord
    sim.lab.store.update('vdis', vdi.id, { size: 8 * MiB })
    const file = join(dir, 'disk.raw')
    const target = { kind: 'existing-vdi', vdi: vdi.id } as const
    const result = await importImage(client, { file, target }, signal)
    const [digest] = (await run('sha256sum', [file])).split(' ')
    expect(result.sha256).toBe(digest)
    const unchecked = await importImage(client, { file, target, checksum: false }, signal)
    expect(unchecked).toMatchObject({ id: vdi.id, bytesSent: 8 * MiB })
    expect(unchecked.sha256).toBeUndefined()
  })

  it('refuses an existing VDI of another size before any byte', async () => {
    const vdi = [...sim.lab.store.list('vdis')][1] as XoRecord
    sim.lab.store.update('vdis', vdi.id, { size: 16 * MiB })
    const e = await refusal(
      importImage(
        client,
        { file: join(dir, 'disk.raw'), target: { kind: 'existing-vdi', vdi: vdi.id } },
        signal,
      ),
    )
    expect(e.message).toMatch(/16777216 bytes, the image is 8388608 bytes/)
    expect(importRequests()).toEqual([])
  })

  it('refuses an unknown SR before any byte', async () => {
    const e = await refusal(
      importImage(
        client,
        {
          file: join(dir, 'disk.vhd'),
          target: { kind: 'new-vdi', sr: '00000000-0000-4000-8000-000000000000' },
        },
        signal,
      ),
    )
    expect(e.appError.code).toBe('not-found')
    expect(importRequests()).toEqual([])
  })

  it('refuses an SR without room before any byte', async () => {
    const sr = userSr(sim)
    const saved = { size: sr['size'], physical_usage: sr['physical_usage'] }
    sim.lab.store.update('srs', sr.id, { size: 10 * MiB, physical_usage: 9 * MiB })
    try {
      const e = await refusal(
        importImage(
          client,
          { file: join(dir, 'disk.raw'), target: { kind: 'new-vdi', sr: sr.id } },
          signal,
        ),
      )
      expect(e.appError.code).toBe('disk-full')
    } finally {
      sim.lab.store.update('srs', sr.id, saved)
    }
    expect(importRequests()).toEqual([])
  })

  it('never uploads a corrupt file', async () => {
    const file = join(dir, 'vm.xva')
    await exportedXva(sim, file)
    const fh = await open(file, 'r+')
    const size = (await fh.stat()).size
    await fh.write(Buffer.from([0x55, 0xaa, 0x55]), 0, 3, Math.floor(size / 2))
    await fh.close()
    sim.lab.requests.length = 0
    const e = await refusal(
      importImage(client, { file, target: { kind: 'vm', sr: userSr(sim).id } }, signal),
    )
    expect(e.appError.code).toBe('corrupt-file')
    expect(importRequests()).toEqual([])
    expect(sim.lab.requests).toEqual([])
  })
})
