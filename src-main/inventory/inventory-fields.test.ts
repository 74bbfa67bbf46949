// What the inventory holds, read from the Demo lab through the real client: every collection of
// the browser and of the relations, with the fields it keeps, in one first read.
import {
  BROWSABLE_COLLECTIONS,
  INVENTORY_COLLECTIONS,
  type InventoryPage,
  type ObjectCounts,
  type Result,
} from '@contract'
import { afterEach, expect, it } from 'vitest'
import { createAppCore } from '../app-core'
import { TEST_CORE } from '../test-support/test-core'
import { DEFAULT_INVENTORY_FIELDS } from './inventory-fields'

const core = createAppCore({
  ...TEST_CORE,
  demoLab: { life: false, seed: 'inventory-fields-test' },
  log: () => undefined,
})
afterEach(() => core.dispose())

it('reads every collection of the browser from the Demo lab, none of them empty', async () => {
  const signal = AbortSignal.timeout(30_000)
  expect(await core.dispatch('demo.open', undefined, signal)).toMatchObject({ ok: true })
  const counts = await core.dispatch('inventory.counts', { instanceId: 'demo' }, signal)
  if (!counts.ok) throw new Error(counts.error.message)
  const store = core.demo.simulator?.lab.store
  for (const collection of BROWSABLE_COLLECTIONS) {
    const count = (counts.value as ObjectCounts)[collection]
    expect(count, collection).toBeGreaterThan(0)
    expect(count, collection).toBe(store?.count(collection))
  }
  // The related-only collections are held too, each object with the link fields kept.
  const cache = core.instances.get('demo').live.cache
  expect(cache.collections.sort()).toEqual([...INVENTORY_COLLECTIONS].sort())
  for (const collection of INVENTORY_COLLECTIONS) {
    expect(cache.count(collection), collection).toBe(store?.count(collection))
    // Exactly the listed fields XO has on its objects: nothing dropped, nothing more (no href).
    const records = [...(store?.list(collection) ?? [])]
    const kept = new Set(cache.all(collection).flatMap((object) => Object.keys(object)))
    expect([...kept].sort(), collection).toEqual(
      DEFAULT_INVENTORY_FIELDS[collection]
        ?.filter((field) => records.some((record) => field in record))
        .sort(),
    )
  }
})

it('answers a VM page with only the fields the list asked for', async () => {
  const signal = AbortSignal.timeout(30_000)
  expect(await core.dispatch('demo.open', undefined, signal)).toMatchObject({ ok: true })
  const page = (await core.dispatch(
    'inventory.page',
    {
      instanceId: 'demo',
      collection: 'vms',
      offset: 0,
      limit: 20,
      fields: ['name_label', 'power_state'],
    },
    signal,
  )) as Result<InventoryPage>
  if (!page.ok) throw new Error(page.error.message)
  expect(page.value.items.length).toBe(20)
  for (const vm of page.value.items)
    expect(Object.keys(vm).sort()).toEqual(['id', 'name_label', 'power_state'])
})
