import type { Input, InventoryObject, MethodName, Output, TransferView } from '@contract'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import { TEST_CORE } from '../test-support/test-core'
import { generateCertificate, startSimulator, type RunningSimulator } from '../simulator'

const signal = new AbortController().signal

let core: AppCore

/** A request as the window makes it; its value, or the readable error thrown. */
async function call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
  const res = await core.dispatch(method, input, signal)
  if (!res.ok) throw new Error(`${res.error.message} ${res.error.action}`)
  return res.value as Output<M>
}

describe('transfers through the app core (Demo lab)', { timeout: 180_000 }, () => {
  let dir: string
  let vm: InventoryObject
  let exported: TransferView

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xo-desk-transfers-'))
    core = createAppCore({
      ...TEST_CORE,
      demoLab: { life: false, seed: 'transfer-handlers', vms: 30 },
      libraryDir: join(dir, 'library'),
      log: () => undefined,
    })
    await call('demo.open', undefined)
    const page = await call('inventory.page', {
      instanceId: 'demo',
      collection: 'vms',
      offset: 0,
      limit: 50,
      filter: 'power_state:Halted',
    })
    vm = page.items[0] as InventoryObject
  })
  afterAll(async () => {
    await core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('an export lands in the instance folder of the library, complete and with its checksum', async () => {
    const queued = await call('transfers.export', {
      instanceId: 'demo',
      collection: 'vms',
      objectId: vm.id,
      format: 'xva',
    })
    expect(queued.state).toMatch(/queued|running/)
    exported = (await core.transfers.settled(queued.id)) as TransferView
    expect(exported.error).toBeUndefined()
    expect(exported.state).toBe('done')
    expect(exported.file).toContain(join(dir, 'library', 'Demo lab ('))
    // sha256sum reads the .sha256 the export wrote.
    const check = execFileSync('sha256sum', ['-c', `${exported.file}.sha256`], {
      cwd: join(exported.file as string, '..'),
    }).toString()
    expect(check).toMatch(/: OK/)

    const listing = await call('library.list', undefined)
    const entry = listing.entries.find((e) => exported.file?.endsWith(e.name))
    expect(entry?.checksum.state).toBe('unverified')
    expect(entry?.sidecar?.object.name).toBe(vm['name_label'])
    const verified = await call('library.verify', { id: entry?.id ?? '' })
    expect(verified.checksum.state).toBe('verified')
  })

  it('imports that file into an SR of another pool, where the VM appears', async () => {
    const { items: srs } = await call('inventory.page', {
      instanceId: 'demo',
      collection: 'srs',
      offset: 0,
      limit: 500,
    })
    const other = srs.find((sr) => sr['$pool'] !== vm['$pool'] && sr['content_type'] !== 'iso')
    expect(other).toBeDefined()
    const listing = await call('library.list', undefined)
    const entry = listing.entries.find((e) => exported.file?.endsWith(e.name))
    const queued = await call('transfers.import', {
      source: { libraryId: entry?.id ?? '' },
      instanceId: 'demo',
      target: { kind: 'vm', sr: other?.id ?? '' },
    })
    const ended = await core.transfers.settled(queued.id)
    expect(ended?.error).toBeUndefined()
    expect(ended?.state).toBe('done')
    expect(ended?.created?.collection).toBe('vms')
    const created = await core.instances
      .get('demo')
      .client.get('vms', ended?.created?.id ?? '', signal)
    expect(created['$pool']).toBe(other?.['$pool'])
    const audit = await call('audit.list', {})
    expect(audit[0]).toMatchObject({ action: 'vms.import', outcome: 'succeeded' })
  })

  it('a dropped file that is not a valid image is refused with where it is damaged, and nothing is sent', async () => {
    const bad = join(dir, 'broken.vhd')
    writeFileSync(bad, Buffer.alloc(3 * 512, 7))
    const dropped = await call('library.inspectDropped', { path: bad })
    expect(dropped.contents).toBeUndefined()
    expect(dropped.invalid?.message).toMatch(/cookie|footer/i)
    const before = (await core.instances.get('demo').client.list('vdis', {}, signal)).length
    const queued = await call('transfers.import', {
      source: { path: bad },
      instanceId: 'demo',
      target: { kind: 'new-vdi', sr: String(vm['$pool'] ?? '') },
    })
    const ended = await core.transfers.settled(queued.id)
    expect(ended?.state).toBe('failed')
    expect(ended?.error?.message).toMatch(/cookie|footer/i)
    expect((await core.instances.get('demo').client.list('vdis', {}, signal)).length).toBe(before)
  })

  it("fetches a running host's logs tarball into the library, listed as a host log", async () => {
    const host = [...(core.demo.simulator?.lab.store.list('hosts') ?? [])].find(
      (h) => h['power_state'] === 'Running',
    )
    const queued = await call('transfers.export', {
      instanceId: 'demo',
      collection: 'hosts',
      objectId: host?.id ?? '',
      format: 'tgz',
    })
    const ended = await core.transfers.settled(queued.id)
    expect(ended?.error).toBeUndefined()
    expect(ended?.file).toMatch(new RegExp(`${String(host?.['name_label'])} logs .*\\.tgz$`))
    expect(execFileSync('tar', ['-tzf', ended?.file ?? '']).toString()).not.toBe('')
    const listing = await call('library.list', undefined)
    const entry = listing.entries.find((e) => ended?.file?.endsWith(e.name))
    expect(entry?.format).toBe('tgz')
  })

  it('refuses a VM exported as a disk format before asking XO', async () => {
    const res = await core.dispatch(
      'transfers.export',
      { instanceId: 'demo', collection: 'vms', objectId: vm.id, format: 'vhd' },
      signal,
    )
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('a path that is not an image file is refused before it is opened', async () => {
    const res = await core.dispatch('library.inspectDropped', { path: '/etc/passwd' }, signal)
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })
})

describe('transfers between two instances, faults and cancels', { timeout: 120_000 }, () => {
  let dir: string
  let second: RunningSimulator
  let secondId: string
  let readOnlyId: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xo-desk-moves-'))
    const cert = await generateCertificate()
    second = await startSimulator({ tls: cert, seed: 'move-target', life: false, vms: 20 })
    core = createAppCore({
      ...TEST_CORE,
      demoLab: { life: false, seed: 'transfer-moves', vms: 30 },
      libraryDir: join(dir, 'library'),
      log: () => undefined,
    })
    await call('demo.open', undefined)
    const add = (name: string, readOnly: boolean) =>
      call('instances.add', {
        name,
        address: second.url,
        readOnly,
        trust: { kind: 'pinned', fingerprint256: cert.fingerprint256 },
        signIn: { method: 'token', token: second.token },
      })
    secondId = (await add('Second', false)).id
    readOnlyId = (await add('Second, read-only', true)).id
    await core.instances.get(secondId).live.ready(signal)
  })
  afterAll(async () => {
    await core.dispose()
    await second.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const lab = () => {
    const sim = core.demo.simulator
    if (!sim) throw new Error('the Demo lab is not open')
    return sim
  }
  /** A small disk of the lab (not a CD image), so comparing its content stays quick. */
  function smallDisk(): { id: string; name: string } {
    const { store } = lab().lab
    const disk = [...store.list('vdis')]
      .filter((d) => Number(d['size']) >= 64 * 2 ** 20)
      .filter((d) => store.get('srs', String(d['$SR']))?.['content_type'] !== 'iso')
      .sort((a, b) => Number(a['size']) - Number(b['size']))[0]
    if (!disk) throw new Error('the lab has no small disk')
    return { id: disk.id, name: String(disk['name_label']) }
  }
  const targetSr = (): string => {
    const sr = [...second.lab.store.list('srs')].find((s) => s['content_type'] !== 'iso')
    return sr?.id ?? ''
  }

  it('moves a disk into another instance: it arrives there with the same content, and the move is audited there', async () => {
    const disk = smallDisk()
    const before = second.lab.store.count('vdis')
    const queued = await call('transfers.move', {
      kind: 'vdi',
      fromInstanceId: 'demo',
      objectId: disk.id,
      toInstanceId: secondId,
      sr: targetSr(),
    })
    expect(queued.to?.name).toBe('Second')
    const ended = await core.transfers.settled(queued.id)
    expect(ended?.error).toBeUndefined()
    expect(ended?.state).toBe('done')
    expect(second.lab.store.count('vdis')).toBe(before + 1)
    const copy = second.lab.store.get('vdis', ended?.created?.id ?? '')
    expect(copy?.['name_label']).toBe(disk.name)
    const audit = await call('audit.list', { instanceId: secondId })
    expect(audit[0]).toMatchObject({ action: 'vdis.move', outcome: 'succeeded' })
  })

  it('refuses a move into a read-only instance before any byte leaves the source', async () => {
    const disk = smallDisk()
    const reads = lab().lab.requests.filter((r) => r.includes(`/vdis/${disk.id}.vhd`)).length
    const res = await core.dispatch(
      'transfers.move',
      {
        kind: 'vdi',
        fromInstanceId: 'demo',
        objectId: disk.id,
        toInstanceId: readOnlyId,
        sr: targetSr(),
      },
      signal,
    )
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(lab().lab.requests.filter((r) => r.includes(`/vdis/${disk.id}.vhd`)).length).toBe(reads)
  })

  it('an export cut mid-stream ends failed with what to do, leaves no part file, and the next one succeeds', async () => {
    const vm = [...lab().lab.store.list('vms')][0]
    // Every try is cut: the engine's retries from the start fail too.
    lab().faults.add({
      method: 'GET',
      path: `/vms/${vm?.id}.xva`,
      fault: { kind: 'drop-after', bytes: 100_000 },
      times: 3,
    })
    const queued = await call('transfers.export', {
      instanceId: 'demo',
      collection: 'vms',
      objectId: vm?.id ?? '',
      format: 'xva',
    })
    const failed = await core.transfers.settled(queued.id)
    expect(failed?.state).toBe('failed')
    expect(failed?.error?.message).toBeTruthy()
    expect(failed?.error?.action).toBeTruthy()
    const folder = join(failed?.file ?? '', '..')
    expect(readdirSync(folder).filter((f) => f.endsWith('.part'))).toEqual([])
    expect(existsSync(failed?.file ?? '')).toBe(false)

    const again = await call('transfers.retry', { transferId: queued.id })
    expect(again.id).toBe(queued.id)
    const done = await core.transfers.settled(queued.id)
    expect(done?.state).toBe('done')
    expect(existsSync(done?.file ?? '')).toBe(true)
  })

  it('a cancelled import stops its upload, ends cancelled, and XO keeps no new VM', async () => {
    const vm = [...lab().lab.store.list('vms')][1]
    const exported = await core.transfers.settled(
      (
        await call('transfers.export', {
          instanceId: 'demo',
          collection: 'vms',
          objectId: vm?.id ?? '',
          format: 'xva',
        })
      ).id,
    )
    expect(exported?.state).toBe('done')
    // Slow enough to be caught mid-upload.
    await call('transfers.configure', { parallel: 2, bandwidthLimit: 256 * 1024 })
    const before = second.lab.store.count('vms')
    const queued = await call('transfers.import', {
      source: { path: exported?.file ?? '' },
      instanceId: secondId,
      target: { kind: 'vm', sr: targetSr() },
    })
    await expect.poll(() => JSON.stringify(core.transfers.get(queued.id))).toMatch(/"bytes":[1-9]/)
    await call('transfers.cancel', { transferId: queued.id })
    const ended = await core.transfers.settled(queued.id)
    await call('transfers.configure', { parallel: 2 })
    expect(ended?.state).toBe('cancelled')
    expect(ended?.error?.code).toBe('cancelled')
    await new Promise((r) => setTimeout(r, 200))
    expect(second.lab.store.count('vms')).toBe(before)
  })
})
