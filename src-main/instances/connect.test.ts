// What an instance sends the renderer: resyncs without the objects, live changes with them.
import type { InventoryDiff } from '@contract/inventory'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { EventHub } from '../app-events/event-hub'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { MemoryVault } from '../vault/memory-vault'
import { connectInstance } from './connect'
import type { Instance } from './instance-registry'

let sim: RunningSimulator
beforeAll(async () => {
  sim = await startSimulator({ seed: 'connect', life: false })
})
afterAll(() => sim.close())

let instance: Instance | undefined
afterEach(async () => {
  await instance?.close()
  instance = undefined
})

/** Connects to the simulator and records the diffs published for the renderer. */
async function connect() {
  const vault = new MemoryVault()
  vault.set('lab', sim.token)
  const hub = new EventHub()
  const diffs: InventoryDiff[] = []
  hub.subscribe((name, payload) => {
    if (name === 'inventory.diff') diffs.push(payload as InventoryDiff)
  })
  instance = connectInstance({ id: 'lab', label: 'Lab', kind: 'demo', url: sim.url, vault, hub })
  await instance.live.stream.whenLive()
  return { instance, diffs }
}

const resyncs = (diffs: InventoryDiff[], collection: string): InventoryDiff[] =>
  diffs.filter((d) => d.collection === collection && d.resynced)

describe('diffs sent to the renderer', () => {
  it('announce the first read of a big list by its size alone, without its objects', async () => {
    const { diffs } = await connect()

    await vi.waitFor(() => expect(resyncs(diffs, 'vms')).toHaveLength(1))
    expect(resyncs(diffs, 'vms')[0]).toEqual({
      instanceId: 'lab',
      collection: 'vms',
      upserts: [],
      removals: [],
      total: sim.lab.store.count('vms'),
      resynced: true,
    })
    await vi.waitFor(() => expect(resyncs(diffs, 'hosts')).toHaveLength(1))
    expect(resyncs(diffs, 'hosts')[0]).toMatchObject({
      upserts: [],
      removals: [],
      total: sim.lab.store.count('hosts'),
    })
  })

  it('announce the re-read after a reconnect by the new size, and carry live changes whole', async () => {
    const { instance, diffs } = await connect()
    await vi.waitFor(() => expect(resyncs(diffs, 'vms')).toHaveLength(1))
    const [gone, renamed] = [...sim.lab.store.list('vms')].filter(
      (vm) => vm['power_state'] === 'Halted',
    )
    if (!gone || !renamed) throw new Error('the lab has too few halted VMs')

    sim.lab.events.closeAll() // a drop: what changes now is only seen by the re-read
    sim.lab.store.remove('vms', gone.id)
    await vi.waitFor(() => expect(resyncs(diffs, 'vms')).toHaveLength(2))
    expect(resyncs(diffs, 'vms')[1]).toMatchObject({
      upserts: [],
      removals: [],
      total: sim.lab.store.count('vms'),
    })
    expect(instance.live.cache.get('vms', gone.id)).toBeUndefined()

    await vi.waitFor(() => expect(instance.live.connection().state).toBe('live'))
    sim.lab.store.update('vms', renamed.id, { name_label: 'renamed-live' })
    await vi.waitFor(() =>
      expect(diffs.at(-1)).toMatchObject({
        collection: 'vms',
        upserts: [expect.objectContaining({ id: renamed.id, name_label: 'renamed-live' })],
      }),
    )
    expect(diffs.at(-1)?.resynced).toBeUndefined()
  })
})
