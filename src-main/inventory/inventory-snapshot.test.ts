// An instance's last known inventory on disk: written atomically, read back as it was, and
// ignored (never fatal) when it cannot be read.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InventoryObject } from '@contract/inventory'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InventoryCache } from './inventory-cache'
import {
  InventorySnapshots,
  SNAPSHOT_VERSION,
  SnapshotWriter,
  type InventorySnapshot,
} from './inventory-snapshot'

let dir: string
let logs: string[]
let snapshots: InventorySnapshots
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'xo-desk-snapshot-')), 'inventory')
  logs = []
  snapshots = new InventorySnapshots(dir, (line) => void logs.push(line))
})
afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }))

const ID = '0b6f6a8e-5d1c-4f4e-9a59-2f0d7d6b7c11'

const vm = (i: number): InventoryObject => ({
  id: `vm-${i}`,
  name_label: `web-${i}`,
  power_state: i % 2 ? 'Running' : 'Halted',
  CPUs: { number: 2, max: 4 },
  tags: ['prod'],
})

function snapshotOf(vms: InventoryObject[]): InventorySnapshot {
  return {
    version: SNAPSHOT_VERSION,
    instanceId: ID,
    savedAt: 1_700_000_000_000,
    collections: { vms, hosts: [{ id: 'h1', name_label: 'host 1' }], pools: [], srs: [] },
  }
}

describe('the inventory snapshot on disk', () => {
  it('reads back exactly what was written, in a file only its owner can read', async () => {
    const written = snapshotOf([vm(1), vm(2), vm(3)])
    await snapshots.write(written)
    await expect(snapshots.read(ID)).resolves.toEqual(written)
    const file = await stat(snapshots.pathOf(ID))
    if (process.platform !== 'win32') expect(file.mode & 0o777).toBe(0o600)
    // Atomic: no temporary file left beside it.
    expect(await readdir(dir)).toEqual([`${ID}.json`])
  })

  it('replaces the previous snapshot as a whole', async () => {
    await snapshots.write(snapshotOf([vm(1), vm(2)]))
    const next = snapshotOf([vm(3)])
    await snapshots.write(next)
    await expect(snapshots.read(ID)).resolves.toEqual(next)
  })

  it.each([
    ['half a file', '{"version":1,"instanceId":'],
    ['another version', JSON.stringify({ ...snapshotOf([]), version: 99 })],
    ['another instance', JSON.stringify({ ...snapshotOf([]), instanceId: 'someone-else' })],
    ['an object without id', JSON.stringify({ ...snapshotOf([]), collections: { vms: [{}] } })],
    ['a list that is not one', JSON.stringify({ ...snapshotOf([]), collections: { vms: 1 } })],
  ])('starts without a snapshot that is %s, and says so in the log', async (_what, text) => {
    await mkdir(dir, { recursive: true })
    await writeFile(snapshots.pathOf(ID), text)
    await expect(snapshots.read(ID)).resolves.toBeUndefined()
    expect(logs.join('\n')).toContain(`inventory snapshot of ${ID} ignored`)
  })

  it('starts without a snapshot when there is none, quietly', async () => {
    await expect(snapshots.read(ID)).resolves.toBeUndefined()
    expect(logs).toEqual([])
  })

  it('never reads or writes outside its folder, whatever the instance id', async () => {
    await expect(snapshots.read('../instances')).resolves.toBeUndefined()
    await expect(snapshots.write({ ...snapshotOf([]), instanceId: '../x' })).rejects.toThrow(
      /not an instance id/,
    )
  })

  it('forgets a removed instance', async () => {
    await snapshots.write(snapshotOf([vm(1)]))
    await snapshots.remove(ID)
    await snapshots.remove(ID) // already gone: fine
    await expect(snapshots.read(ID)).resolves.toBeUndefined()
  })
})

describe('keeping the snapshot current', () => {
  function cacheWith(vms: InventoryObject[], initial?: InventorySnapshot) {
    return new InventoryCache({
      instanceId: ID,
      load: async (collection) => (collection === 'vms' ? vms : []),
      frameMs: 1,
      ...(initial ? { initial: initial.collections } : {}),
    })
  }

  it('saves the cache after a full read, with the fields the cache keeps', async () => {
    const cache = cacheWith([{ ...vm(1), href: '/rest/v0/vms/vm-1' }, vm(2)])
    const writer = new SnapshotWriter({ snapshots, cache, freshAt: () => 42, intervalMs: 60_000 })
    await cache.sync()
    cache.flush()
    const saved = await vi.waitFor(async () => {
      const read = await snapshots.read(ID)
      if (!read) throw new Error('not saved yet')
      return read
    })
    expect(saved?.savedAt).toBe(42)
    expect(saved?.collections['vms']).toEqual([vm(1), vm(2)])
    await writer.close()
    cache.dispose()
  })

  it('does not rewrite a snapshot it only started from (its time stays that of the data)', async () => {
    const old = snapshotOf([vm(1)])
    await snapshots.write(old)
    const cache = cacheWith([vm(1), vm(2)], old)
    const writer = new SnapshotWriter({ snapshots, cache, freshAt: () => Date.now() })
    expect(cache.all('vms')).toEqual([vm(1)])
    await writer.close()
    cache.dispose()
    expect(JSON.parse(await readFile(snapshots.pathOf(ID), 'utf8'))).toEqual(old)
  })
})
