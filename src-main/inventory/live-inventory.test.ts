// The live inventory against the simulator: live changes, drops with changes while down, batching.
import type { InventoryDiff, InventoryObject } from '@contract/inventory'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { DEFAULT_INVENTORY_FIELDS, type InventoryLoader } from './inventory-cache'
import { startLiveInventory, type LiveInventory, type LiveInventoryOptions } from './live-inventory'

let sim: RunningSimulator
beforeAll(async () => {
  sim = await startSimulator({ seed: 'live-inventory', life: false, actionDelayMs: 5 })
})
afterAll(() => sim.close())

const cookie = (): Record<string, string> => ({ cookie: `authenticationToken=${sim.token}` })

/** What the REST client's `list` does: `GET /<collection>?fields=…`. */
async function get(collection: string, fields: readonly string[]): Promise<InventoryObject[]> {
  const res = await request(
    `${sim.url}/${collection}?fields=${encodeURIComponent(fields.join(','))}`,
    { headers: cookie() },
  )
  const items = (await res.body.json()) as (InventoryObject & { href?: string })[]
  return items.map(({ href: _href, ...rest }) => rest as InventoryObject)
}

async function send(method: 'POST' | 'DELETE', path: string): Promise<number> {
  const res = await request(`${sim.url}${path}`, { method, headers: cookie() })
  await res.body.dump()
  return res.statusCode
}

const VM_FIELDS = DEFAULT_INVENTORY_FIELDS['vms'] ?? []
const COLLECTIONS = {
  ...DEFAULT_INVENTORY_FIELDS,
  'vm-snapshots': ['id', 'name_label', '$snapshot_of', 'snapshot_time'],
}

let live: LiveInventory | undefined
afterEach(async () => {
  await live?.close()
  live = undefined
})

/** Starts a live inventory, records its diffs and counts its full reads, and waits until live. */
async function startInventory(options: Partial<LiveInventoryOptions> = {}) {
  const reads: string[] = []
  const load: InventoryLoader = async (collection, fields) => {
    reads.push(collection)
    return get(collection, fields)
  }
  const diffs: InventoryDiff[] = []
  live = startLiveInventory({
    instanceId: 'lab',
    baseUrl: sim.url,
    headers: cookie,
    load,
    collections: COLLECTIONS,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  })
  live.cache.subscribe((d) => diffs.push(d))
  await live.stream.whenLive()
  // The first read goes out as one resynced diff per collection; later changes come after it.
  await vi.waitFor(() => expect(diffs.filter((d) => d.resynced)).toHaveLength(reads.length))
  return { live, diffs, reads }
}

/** A VM not used by another test yet (tests share one lab). */
const taken = new Set<string>()
function freshVm(power: 'Running' | 'Halted'): string {
  const vm = [...sim.lab.store.list('vms')].find(
    (v) => v['power_state'] === power && !taken.has(v.id),
  )
  if (!vm) throw new Error(`no ${power} VM left`)
  taken.add(vm.id)
  return vm.id
}

/** The cache holds exactly what a fresh read returns: nothing missing, duplicated or stale. */
async function expectSameAsFreshRead(inventory: LiveInventory, collection: string): Promise<void> {
  const fresh = await get(collection, COLLECTIONS[collection as keyof typeof COLLECTIONS] ?? [])
  const cached = inventory.cache.all(collection)
  expect(cached.length).toBe(fresh.length)
  expect(new Set(cached.map((o) => o.id)).size).toBe(cached.length)
  expect(Object.fromEntries(cached.map((o) => [o.id, o]))).toEqual(
    Object.fromEntries(fresh.map((o) => [o.id, o])),
  )
}

describe('live inventory', () => {
  it('loads every collection once, announced as resynced diffs', async () => {
    const { live, diffs, reads } = await startInventory()

    expect(reads.sort()).toEqual(Object.keys(COLLECTIONS).sort())
    expect(live.connection()).toEqual({ instanceId: 'lab', state: 'live' })
    expect(diffs.every((d) => d.resynced)).toBe(true)
    const vms = diffs.find((d) => d.collection === 'vms')
    expect(vms).toMatchObject({
      instanceId: 'lab',
      removals: [],
      total: sim.lab.store.count('vms'),
    })
    expect(vms?.upserts).toHaveLength(sim.lab.store.count('vms'))
    await expectSameAsFreshRead(live, 'vms')
  })

  it('shows a VM started by an action as Running, from the event alone (no re-read)', async () => {
    const { live, diffs, reads } = await startInventory()
    const id = freshVm('Halted')
    const readsBefore = reads.length

    expect(await send('POST', `/vms/${id}/actions/start`)).toBe(202)

    await vi.waitFor(() => expect(live.cache.get('vms', id)?.['power_state']).toBe('Running'))
    await vi.waitFor(() =>
      expect(diffs).toContainEqual(
        expect.objectContaining({
          collection: 'vms',
          upserts: [expect.objectContaining({ id, power_state: 'Running' })],
        }),
      ),
    )
    expect(reads.length).toBe(readsBefore)
  })

  it('loses no change made while the event stream was down', async () => {
    // A longer first retry keeps the stream down long enough to change things "while away".
    const { live, diffs, reads } = await startInventory({ backoff: { initialMs: 300, maxMs: 600 } })
    const renamed = freshVm('Halted')
    const renamedLater = freshVm('Halted')
    const removed = freshVm('Halted')
    const readsBefore = reads.length

    sim.lab.events.closeAll() // network drop: XO will replay nothing (docs/xo-rest-api.md#events)
    sim.lab.store.update('vms', renamed, { name_label: 'changed-while-down' })
    await vi.waitFor(() => expect(live.connection().state).toBe('reconnecting'))
    sim.lab.store.update('vms', renamedLater, { name_label: 'changed-while-reconnecting' })
    sim.lab.store.remove('vms', removed)
    expect(live.cache.get('vms', renamed)?.['name_label']).not.toBe('changed-while-down')

    await vi.waitFor(() => expect(live.connection().state).toBe('live'))

    expect(reads.length).toBe(readsBefore + Object.keys(COLLECTIONS).length)
    expect(live.cache.get('vms', renamed)?.['name_label']).toBe('changed-while-down')
    expect(live.cache.get('vms', renamedLater)?.['name_label']).toBe('changed-while-reconnecting')
    expect(live.cache.get('vms', removed)).toBeUndefined()
    await expectSameAsFreshRead(live, 'vms')
    await expectSameAsFreshRead(live, 'hosts')
    // The renderer hears exactly what changed, flagged as a resync.
    live.cache.flush()
    const resync = diffs.filter((d) => d.collection === 'vms' && d.resynced).at(-1)
    expect(resync?.removals).toEqual([removed])
    expect(resync?.upserts.map((o) => o.id).sort()).toEqual([renamed, renamedLater].sort())
  })

  it('still matches XO after the connection itself is cut (server-side socket drop)', async () => {
    const { live } = await startInventory()
    const id = freshVm('Running')

    sim.dropConnections()
    sim.lab.store.update('vms', id, { name_label: 'changed-during-socket-drop' })

    await vi.waitFor(() =>
      expect(live.cache.get('vms', id)?.['name_label']).toBe('changed-during-socket-drop'),
    )
    await vi.waitFor(() => expect(live.connection().state).toBe('live'))
    await expectSameAsFreshRead(live, 'vms')
  })

  it('removes a deleted VM and adds a new snapshot', async () => {
    const { live, diffs } = await startInventory()
    const doomed = freshVm('Halted')
    const snapped = freshVm('Halted')

    expect(await send('DELETE', `/vms/${doomed}`)).toBe(204)
    await vi.waitFor(() => expect(live.cache.get('vms', doomed)).toBeUndefined())
    await vi.waitFor(() =>
      expect(diffs).toContainEqual(
        expect.objectContaining({ collection: 'vms', removals: [doomed] }),
      ),
    )

    expect(await send('POST', `/vms/${snapped}/actions/snapshot?sync=true`)).toBe(201)
    await vi.waitFor(() =>
      expect(live.cache.all('vm-snapshots').some((s) => s['$snapshot_of'] === snapped)).toBe(true),
    )
    const added = diffs.find(
      (d) =>
        d.collection === 'vm-snapshots' && d.upserts.some((s) => s['$snapshot_of'] === snapped),
    )
    expect(added?.total).toBe(sim.lab.store.count('vm-snapshots'))
    await expectSameAsFreshRead(live, 'vm-snapshots')
  })

  it('sends a burst of 1,000 updates as a handful of diffs that end in the right state', async () => {
    const { live, diffs } = await startInventory()
    diffs.length = 0
    const ids = [...sim.lab.store.list('vms')].slice(0, 50).map((v) => v.id)
    const last = ids.at(-1) ?? ''

    for (let i = 0; i < 1_000; i++) {
      sim.lab.store.update('vms', ids[i % ids.length] ?? '', { name_label: `burst-${i}` })
    }

    await vi.waitFor(() => expect(live.cache.get('vms', last)?.['name_label']).toBe('burst-999'))
    live.cache.flush()
    const vmDiffs = diffs.filter((d) => d.collection === 'vms')
    expect(vmDiffs.length).toBeGreaterThan(0)
    expect(vmDiffs.length).toBeLessThanOrEqual(5)
    // Replaying the diffs in order gives the store's final state for every touched VM.
    const replayed = new Map<string, InventoryObject>()
    for (const d of vmDiffs) for (const o of d.upserts) replayed.set(o.id, o)
    expect(replayed.size).toBe(ids.length)
    for (const id of ids) {
      expect(replayed.get(id)?.['name_label']).toBe(sim.lab.store.get('vms', id)?.['name_label'])
    }
  })

  it('answers a page asked for while XO cannot be reached with the failure, not silence', async () => {
    live = startLiveInventory({
      instanceId: 'gone',
      baseUrl: 'http://127.0.0.1:1/rest/v0', // nothing listens on port 1
      headers: cookie,
      load: async () => Promise.reject(new Error('XO cannot be reached')),
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    })
    expect(live.connection().state).toBe('connecting')

    await expect(live.ready(AbortSignal.timeout(10_000))).rejects.toThrow('XO cannot be reached')
    expect(live.connection().state).toBe('reconnecting')
  })

  it('reports the connection going down and coming back', async () => {
    const { live } = await startInventory()
    const states: string[] = []
    live.onConnection((s) => states.push(s.state))

    sim.lab.events.closeAll()

    await vi.waitFor(() => expect(states.at(-1)).toBe('live'))
    expect(states).toContain('reconnecting')
  })

  it('releases the event connection when closed', async () => {
    const inventory = (await startInventory()).live
    expect(sim.lab.events.count).toBe(1)

    await inventory.close()
    live = undefined

    await vi.waitFor(() => expect(sim.lab.events.count).toBe(0))
    expect(inventory.connection().state).toBe('stopped')
  })
})

// Keep the VM field list in sync with what the renderer's VM table shows.
it('follows the VM fields the VM list needs', () => {
  expect(VM_FIELDS).toEqual(
    expect.arrayContaining(['id', 'name_label', 'power_state', '$pool', '$container', 'tags']),
  )
})
