// An object's details through the router the renderer uses, against the Demo lab: the whole object
// from XO, its related objects, alarms, messages and tasks from the inventory, and the inventory's
// copy when XO cannot be reached.
import type { ObjectDetails, ObjectRef, RelatedGroup, Result } from '@contract'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import type { CollectionName, XoRecord } from '../simulator/lab/types'
import { TEST_CORE } from '../test-support/test-core'

let core: AppCore
const signal = (): AbortSignal => AbortSignal.timeout(30_000)

beforeEach(async () => {
  core = createAppCore({
    ...TEST_CORE,
    demoLab: { life: false, seed: 'object-details-test' },
    log: () => undefined,
  })
  expect(await core.dispatch('demo.open', undefined, signal())).toMatchObject({ ok: true })
  await core.instances.get('demo').live.stream.whenLive(signal())
})
afterEach(() => core.dispose())

function lab() {
  const sim = core.demo.simulator
  if (!sim) throw new Error('the Demo lab is not running')
  return sim
}

const records = (collection: CollectionName): XoRecord[] => [...lab().lab.store.list(collection)]

function details(collection: ObjectRef['collection'], id: string): Promise<Result<ObjectDetails>> {
  return core.dispatch(
    'objects.details',
    { instanceId: 'demo', collection, id },
    signal(),
  ) as Promise<Result<ObjectDetails>>
}

async function detailsOf(collection: ObjectRef['collection'], id: string): Promise<ObjectDetails> {
  const res = await details(collection, id)
  if (!res.ok) throw new Error(res.error.message)
  return res.value
}

const relation = (d: ObjectDetails, key: string): RelatedGroup | undefined =>
  d.related.find((g) => g.relation === key)

const ids = (group: RelatedGroup | undefined): string[] =>
  (group?.items ?? []).map((i) => i.id).sort()

/** A running VM with snapshots, disks, a message and a task about it. */
function busyRunningVm(): XoRecord {
  const vm = records('vms').find(
    (v) =>
      v['power_state'] === 'Running' &&
      (v['snapshots'] as string[]).length > 0 &&
      records('messages').some((m) => m['$object'] === v.id),
  )
  if (!vm) throw new Error('the Demo lab has no running VM with snapshots and messages')
  return vm
}

describe('the details of a running VM', () => {
  it('show the whole object from XO, linked to its host and pool by id and name', async () => {
    const vm = busyRunningVm()
    const d = await detailsOf('vms', vm.id)
    expect(d.fresh).toBe(true)
    expect(d.ref).toEqual({ instanceId: 'demo', collection: 'vms', id: vm.id })
    // Whole: fields the inventory does not keep are there, and no `href`.
    expect(d.object).toMatchObject({ id: vm.id, bios_strings: vm['bios_strings'] })
    expect(d.object).not.toHaveProperty('href')
    const host = records('hosts').find((h) => h.id === vm['$container'])
    const pool = records('pools').find((p) => p.id === vm['$pool'])
    expect(relation(d, 'host')?.items).toEqual([
      expect.objectContaining({ collection: 'hosts', id: host?.id, name: host?.['name_label'] }),
    ])
    expect(relation(d, 'pool')?.items).toEqual([
      expect.objectContaining({ collection: 'pools', id: pool?.id, name: pool?.['name_label'] }),
    ])
  })

  it('list its disks, their SRs and its snapshots', async () => {
    const vm = busyRunningVm()
    const d = await detailsOf('vms', vm.id)
    const vbds = records('vbds').filter(
      (b) => b['VM'] === vm.id && !b['is_cd_drive'] && typeof b['VDI'] === 'string',
    )
    const disks = records('vdis').filter((v) => vbds.some((b) => b['VDI'] === v.id))
    expect(ids(relation(d, 'vdis'))).toEqual(disks.map((v) => v.id).sort())
    expect(ids(relation(d, 'srs'))).toEqual([...new Set(disks.map((v) => String(v['$SR'])))].sort())
    expect(ids(relation(d, 'snapshots'))).toEqual(
      records('vm-snapshots')
        .filter((s) => s['$snapshot_of'] === vm.id)
        .map((s) => s.id)
        .sort(),
    )
  })

  it('list the messages and tasks about it, newest first', async () => {
    const vm = busyRunningVm()
    const d = await detailsOf('vms', vm.id)
    const messages = records('messages').filter((m) => m['$object'] === vm.id)
    expect(d.messages.map((m) => m.id).sort()).toEqual(messages.map((m) => m.id).sort())
    const times = d.messages.map((m) => m['time'] as number)
    expect(times).toEqual([...times].sort((a, b) => b - a))
    const tasks = records('tasks').filter(
      (t) => (t['properties'] as { objectId?: string }).objectId === vm.id,
    )
    expect(d.tasks.map((t) => t.id).sort()).toEqual(tasks.map((t) => t.id).sort())
  })
})

it('shows the VMs resident on a host', async () => {
  const host = records('hosts').find((h) => records('vms').some((v) => v['$container'] === h.id))
  if (!host) throw new Error('the Demo lab has no host running a VM')
  const d = await detailsOf('hosts', host.id)
  expect(ids(relation(d, 'vms'))).toEqual(
    records('vms')
      .filter((v) => v['$container'] === host.id)
      .map((v) => v.id)
      .sort(),
  )
})

it('shows the VDIs of an SR', async () => {
  const sr = records('srs').find((s) => records('vdis').some((v) => v['$SR'] === s.id))
  if (!sr) throw new Error('the Demo lab has no SR with VDIs')
  const d = await detailsOf('srs', sr.id)
  expect(ids(relation(d, 'vdis'))).toEqual(
    records('vdis')
      .filter((v) => v['$SR'] === sr.id)
      .map((v) => v.id)
      .sort(),
  )
})

it('shows the alarms of an object', async () => {
  const alarm = records('alarms').find((a) => (a['object'] as { type: string }).type === 'host')
  const hostId = (alarm?.['object'] as { uuid: string } | undefined)?.uuid
  if (!hostId) throw new Error('the Demo lab has no alarm on a host')
  const d = await detailsOf('hosts', hostId)
  expect(d.alarms.map((a) => a.id)).toContain(alarm?.id)
})

it('says readably that an object no longer exists', async () => {
  expect(await details('vms', '00000000-0000-4000-8000-000000000000')).toEqual({
    ok: false,
    error: {
      code: 'not-found',
      message: 'This VM no longer exists on Demo lab.',
      action: 'It was deleted or moved; go back to the list.',
      retryable: false,
    },
  })
})

describe('when XO cannot be reached', () => {
  it('shows the inventory’s copy, not fresh, when the connection to XO breaks', async () => {
    const vm = busyRunningVm()
    lab().faults.add({
      method: 'GET',
      path: `/vms/${vm.id}`,
      fault: { kind: 'drop-after', bytes: 0 },
    })
    const d = await detailsOf('vms', vm.id)
    expect(d.fresh).toBe(false)
    expect(d.object).toMatchObject({ id: vm.id, name_label: vm['name_label'] })
    expect(d.object).not.toHaveProperty('bios_strings') // only what the inventory keeps
    expect(ids(relation(d, 'host'))).toEqual([vm['$container']])
  })

  it('shows the inventory’s copy, not fresh, once XO is stopped', async () => {
    const vm = busyRunningVm()
    const live = core.instances.get('demo').live
    const stopped = new Promise<void>((resolve) => {
      const off = live.onConnection((state) => {
        if (state.state === 'live') return
        off()
        resolve()
      })
    })
    await lab().close()
    await stopped
    const d = await detailsOf('vms', vm.id)
    expect(d.fresh).toBe(false)
    expect(d.object).toMatchObject({ id: vm.id, name_label: vm['name_label'] })
    expect(ids(relation(d, 'vdis')).length).toBeGreaterThan(0)
  })
})
