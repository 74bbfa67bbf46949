// Moves between two simulators (different seeds, so different labs): what arrives, what a cancel,
// a cut source or a small SR leave behind.
import { Readable } from 'node:stream'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { diskDigest } from '../formats'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { makeTempDir } from '../test-support/format-files'
import { userSr } from '../test-support/import-files'
import { XoClient, type XoDownload } from '../xo/client'
import { moveObject, type MoveClient, type MoveProgress } from './move'

const MiB = 1024 * 1024
let src: RunningSimulator
let dst: RunningSimulator
let from: XoClient
let to: XoClient
let dir: string
let remove: () => Promise<void>

type Rec = { id: string } & Record<string, unknown>

function vdisOf(sim: RunningSimulator, vmId: string): Rec[] {
  const vm = sim.lab.store.get('vms', vmId)
  const out: Rec[] = []
  for (const vbdId of (vm?.['$VBDs'] as string[] | undefined) ?? []) {
    const vdiId = sim.lab.store.get('vbds', vbdId)?.['VDI']
    const vdi = typeof vdiId === 'string' ? sim.lab.store.get('vdis', vdiId) : undefined
    if (vdi) out.push(vdi)
  }
  return out
}

let vm: Rec
let vdi: Rec
const ids = (sim: RunningSimulator, collection: 'vms' | 'vdis'): Set<string> =>
  new Set([...sim.lab.store.list(collection)].map((r) => r.id))
const imports = (): string[] =>
  dst.lab.requests.filter((r) => /^POST \/(pools\/[^/]+\/vms|srs\/[^/]+\/vdis)/.test(r))

async function failure(p: Promise<unknown>): Promise<AppFailure> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  if (!(e instanceof AppFailure)) throw new Error(`expected an AppFailure, got ${String(e)}`)
  return e
}

beforeAll(async () => {
  src = await startSimulator({ seed: 'move-source', life: false, diskDataBytes: 2 * MiB })
  dst = await startSimulator({ seed: 'move-target', life: false, diskDataBytes: 2 * MiB })
  from = new XoClient({ baseUrl: src.url, token: () => src.token })
  to = new XoClient({ baseUrl: dst.url, token: () => dst.token })
  ;({ dir, remove } = await makeTempDir('move'))
  const found = [...src.lab.store.list('vms')].find((v) => vdisOf(src, v.id).length > 0)
  if (!found) throw new Error('no VM with disks')
  vm = found
  for (const d of vdisOf(src, vm.id)) src.lab.store.update('vdis', d.id, { size: 8 * MiB })
  vdi = vdisOf(src, vm.id)[0] as Rec
})
afterAll(async () => {
  await from.close()
  await to.close()
  await src.close()
  await dst.close()
  await remove()
})
beforeEach(() => {
  src.faults.clear()
  dst.faults.clear()
  src.lab.requests.length = 0
  dst.lab.requests.length = 0
})

describe('moveObject', () => {
  it('moves a VM: it appears on the target with its disks, same contents', async () => {
    const sr = userSr(dst)
    const seen: MoveProgress[] = []
    const result = await moveObject({
      from,
      to,
      kind: 'vm',
      id: vm.id,
      sr: sr.id,
      tempDir: dir,
      verify: true,
      progressIntervalMs: 0,
      onProgress: (p) => seen.push(p),
    })
    expect(result).toMatchObject({
      kind: 'vm',
      collection: 'vms',
      // Socket to socket: XO imports a VM from a chunked body.
      spooled: false,
      verified: 'match',
    })
    const moved = dst.lab.store.get('vms', result.id)
    expect(moved?.['name_label']).toBe(vm['name_label'])
    const disks = vdisOf(dst, result.id)
    const sources = vdisOf(src, vm.id)
    expect(disks).toHaveLength(sources.length)
    expect(disks.every((d) => d['$SR'] === sr.id)).toBe(true)
    const digests = async (sim: RunningSimulator, list: Rec[]): Promise<string[]> =>
      (await Promise.all(list.map((d) => diskDigest(sim.lab.disks.contentOf(d))))).sort()
    expect(await digests(dst, disks)).toEqual(await digests(src, sources))
    expect(result.disks.map((d) => d.digest).sort()).toEqual(await digests(src, sources))
    expect(new Set(seen.map((p) => p.phase))).toEqual(new Set(['copying', 'verifying']))
    // An XVA export has no length: the bar has no total while copying.
    expect(seen.find((p) => p.phase === 'copying')?.total).toBeUndefined()
    expect(imports()).toEqual([`POST /pools/${String(sr['$pool'])}/vms?sr=${sr.id}`])
  })

  it('moves a VDI socket to socket and checks it arrived with the same content', async () => {
    const sr = userSr(dst)
    const result = await moveObject({
      from,
      to,
      kind: 'vdi',
      id: vdi.id,
      sr: sr.id,
      name: 'moved disk',
    })
    expect(result).toMatchObject({
      kind: 'vdi',
      collection: 'vdis',
      spooled: false,
      verified: 'match',
    })
    const moved = dst.lab.store.get('vdis', result.id)
    expect(moved?.['name_label']).toBe('moved disk')
    expect(moved?.['$SR']).toBe(sr.id)
    const want = await diskDigest(src.lab.disks.contentOf(vdi))
    expect(await diskDigest(dst.lab.disks.contentOf(moved as Rec))).toBe(want)
    expect(result.disks[0]?.digest).toBe(want)
    // Read back from the target to compare.
    expect(dst.lab.requests).toContain(`GET /vdis/${result.id}.vhd`)
  })

  it('fails when the copy reads back different, and names the copy to delete', async () => {
    const sr = userSr(dst)
    const other = [...dst.lab.store.list('vdis')].find((d) => Number(d['size']) > 0) as Rec
    // A target whose read-back gives another disk: the contents differ.
    const lying: MoveClient = {
      host: to.host,
      get: (c, i, s) => to.get(c, i, s),
      delete: (c, i, s) => to.delete(c, i, s),
      upload: (r, s) => to.upload(r, s),
      download: (_p, q, s, t) => to.download(`/vdis/${other.id}.vhd`, q, s, t),
    }
    const before = ids(dst, 'vdis')
    const e = await failure(moveObject({ from, to: lying, kind: 'vdi', id: vdi.id, sr: sr.id }))
    const created = [...ids(dst, 'vdis')].filter((id) => !before.has(id))
    expect(created).toHaveLength(1)
    expect(e.message).toContain('arrived different')
    expect(e.appError.action).toContain(
      `delete the copy on ${to.host} (VDI ${created[0]})`.replace('delete', 'Delete'),
    )
  })

  it('a cancel mid-way aborts both sides and leaves no VDI on the target', async () => {
    const sr = userSr(dst)
    src.faults.add({
      path: `/vdis/${vdi.id}.vhd`,
      fault: { kind: 'throttle', bytesPerSecond: 2 * MiB },
    })
    const before = ids(dst, 'vdis')
    const controller = new AbortController()
    const e = await failure(
      moveObject({
        from,
        to,
        kind: 'vdi',
        id: vdi.id,
        sr: sr.id,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.phase === 'copying' && p.bytes > MiB) controller.abort()
        },
      }),
    )
    expect(e.appError.code).toBe('cancelled')
    expect(e.message).toContain(`Nothing was created on ${to.host}`)
    expect(imports()).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 100))
    expect(ids(dst, 'vdis')).toEqual(before)
  })

  it('the source cutting the connection mid-VDI gives a readable failure and no VDI on the target', async () => {
    const sr = userSr(dst)
    src.faults.next('GET', `/vdis/${vdi.id}.vhd`, { kind: 'drop-after', bytes: 300_000 })
    const before = ids(dst, 'vdis')
    const e = await failure(moveObject({ from, to, kind: 'vdi', id: vdi.id, sr: sr.id }))
    expect(e.message).toContain(from.host)
    expect(e.message).toContain(`Nothing was created on ${to.host}`)
    expect(e.appError.action.length).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 100))
    expect(ids(dst, 'vdis')).toEqual(before)
  })

  it('the source cutting the connection mid-VM gives a readable failure and no VM on the target', async () => {
    const sr = userSr(dst)
    src.faults.next('GET', `/vms/${vm.id}.xva`, { kind: 'drop-after', bytes: 300_000 })
    const vms = ids(dst, 'vms')
    const vdis = ids(dst, 'vdis')
    const e = await failure(
      moveObject({ from, to, kind: 'vm', id: vm.id, sr: sr.id, tempDir: dir }),
    )
    expect(e.message).toMatch(new RegExp(`${from.host}.*Nothing was created on ${to.host}`, 's'))
    // Streamed: the import had begun, and is aborted with nothing created.
    expect(ids(dst, 'vms')).toEqual(vms)
    expect(ids(dst, 'vdis')).toEqual(vdis)
  })

  it('a source export that ends cleanly but short is refused as damaged, nothing on the target', async () => {
    const sr = userSr(dst)
    const real = await from.download(`/vdis/${vdi.id}.vhd`, {}, new AbortController().signal)
    const whole = Buffer.concat((await real.body.toArray()) as Buffer[])
    // The footer is missing, and Content-Length says the short length: HTTP sees nothing wrong.
    const short = whole.subarray(0, whole.length - 512)
    const chunks: Buffer[] = []
    for (let at = 0; at < short.length; at += 64 * 1024)
      chunks.push(short.subarray(at, at + 64 * 1024))
    const cutting: MoveClient = {
      host: from.host,
      get: (c, i, s) => from.get(c, i, s),
      delete: (c, i, s) => from.delete(c, i, s),
      upload: (r, s) => from.upload(r, s),
      download: () =>
        Promise.resolve({
          status: 200,
          headers: { 'content-length': String(short.length) },
          body: Readable.from(chunks),
          explain: (e: unknown) => e,
        } as unknown as XoDownload),
    }
    const before = ids(dst, 'vdis')
    const e = await failure(moveObject({ from: cutting, to, kind: 'vdi', id: vdi.id, sr: sr.id }))
    expect(e.message).toMatch(new RegExp(`export from ${from.host} is incomplete or damaged`))
    expect(e.message).toContain(`Nothing was created on ${to.host}`)
    await new Promise((r) => setTimeout(r, 100))
    expect(ids(dst, 'vdis')).toEqual(before)
    // A lenient target that creates its VDI once it has Content-Length bytes: it never gets them.
    let created = false
    const lenient: MoveClient = {
      host: to.host,
      get: (c, i, s) => to.get(c, i, s),
      delete: (c, i, s) => to.delete(c, i, s),
      download: (p, q, s, t) => to.download(p, q, s, t),
      // Like a socket: every byte counts as sent the moment it is written.
      upload: (r) =>
        new Promise((resolve, reject) => {
          let got = 0
          r.body.on('data', (chunk: Buffer) => {
            got += chunk.length
            if (got !== r.length) return
            created = true
            resolve({ id: 'lenient-copy' })
          })
          r.body.on('error', reject)
        }),
    }
    const again = await failure(
      moveObject({ from: cutting, to: lenient, kind: 'vdi', id: vdi.id, sr: sr.id, verify: false }),
    )
    expect(again.message).toContain('incomplete or damaged')
    expect(created).toBe(false)
  })

  it('refuses an SR too small before any byte is read or sent', async () => {
    const sr = userSr(dst)
    const saved = { size: sr['size'], physical_usage: sr['physical_usage'] }
    dst.lab.store.update('srs', sr.id, { size: 10 * MiB, physical_usage: 5 * MiB })
    try {
      for (const [kind, id] of [
        ['vm', vm.id],
        ['vdi', vdi.id],
      ] as const) {
        const e = await failure(moveObject({ from, to, kind, id, sr: sr.id, tempDir: dir }))
        expect(e.appError.code).toBe('disk-full')
        expect(e.message).toContain('Nothing was sent')
      }
      expect(src.lab.requests.filter((r) => /\.(xva|vhd)/.test(r))).toEqual([])
      expect(imports()).toEqual([])
    } finally {
      dst.lab.store.update('srs', sr.id, saved)
    }
  })
})
