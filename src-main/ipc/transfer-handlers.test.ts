import type { Input, InventoryObject, MethodName, Output, TransferView } from '@contract'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import { TEST_CORE } from '../test-support/test-core'

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

  it('a path that is not an image file is refused before it is opened', async () => {
    const res = await core.dispatch('library.inspectDropped', { path: '/etc/passwd' }, signal)
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })
})
