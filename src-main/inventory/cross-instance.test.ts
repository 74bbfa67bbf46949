import type { InventorySort } from '@contract/inventory'
import { describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import {
  INSTANCE_SORT_FIELD,
  mergeWindow,
  pageAcross,
  sourceOf,
  type CrossInstanceSource,
} from './cross-instance'
import { comparator, InventoryCache } from './inventory-cache'

const POWER = ['Running', 'Halted', 'Suspended']

/** A synced cache holding `count` VMs named `<prefix>-<n>`, with names that interleave across instances. */
async function instance(id: string, label: string, count: number, step = 1) {
  const vms = Array.from({ length: count }, (_, n) => ({
    id: `${id}-vm-${n}`,
    name_label: `vm-${n * step}`,
    power_state: POWER[n % POWER.length],
    CPUs: { number: 1 + (n % 4) },
  }))
  const cache = new InventoryCache({
    instanceId: id,
    load: async (collection) => (collection === 'vms' ? vms : []),
  })
  await cache.sync()
  return sourceOf({ id, label, live: { ready: async () => undefined, cache } })
}

/** What the merge must equal: every instance's rows, concatenated and sorted again. */
function reference(
  sources: CrossInstanceSource[],
  sort: InventorySort,
  filter?: string,
): [string, string][] {
  const compare = comparator(sort)
  return sources
    .flatMap((s, i) => s.view('vms', undefined, filter).map((vm) => [vm, i] as const))
    .sort(([a, i], [b, j]) => compare(a, b) || i - j)
    .map(([vm, i]) => [sources[i]?.ref.id ?? '', vm.id])
}

const placesOf = (page: { items: { id: string; $instance: { id: string } }[] }) =>
  page.items.map((vm) => [vm.$instance.id, vm.id])

const signal = new AbortController().signal

describe('the list of VMs across instances', () => {
  it('sorts the VMs of all instances together, as one list, in both directions', async () => {
    const sources = [
      await instance('prod', 'Production', 40, 2),
      await instance('lab', 'Lab', 25, 3),
    ]
    for (const sort of [
      { field: 'name_label' },
      { field: 'name_label', direction: 'desc' as const },
      { field: 'CPUs.number' },
    ]) {
      const page = await pageAcross(
        sources,
        { collection: 'vms', offset: 0, limit: 100, sort },
        signal,
      )
      expect(page.total).toBe(65)
      expect(placesOf(page)).toEqual(reference(sources, sort))
      expect(page.unavailable).toEqual([])
    }
  })

  it('says which instance each VM comes from, even when two instances hold the same ids', async () => {
    const sources = [await instance('a', 'Site A', 3), await instance('a', 'Site A', 3)]
    sources[1] = { ...sources[1]!, ref: { id: 'b', label: 'Site B' } }
    const page = await pageAcross(
      sources,
      { collection: 'vms', offset: 0, limit: 10, sort: { field: 'name_label' } },
      signal,
    )
    expect(page.items.map((vm) => `${vm.$instance.label}/${String(vm['name_label'])}`)).toEqual([
      'Site A/vm-0',
      'Site B/vm-0',
      'Site A/vm-1',
      'Site B/vm-1',
      'Site A/vm-2',
      'Site B/vm-2',
    ])
  })

  it('cuts every page at the right place, wherever the boundary falls between instances', async () => {
    const sources = [
      await instance('one', 'One', 17, 2),
      await instance('two', 'Two', 0),
      await instance('three', 'Three', 11, 3),
      await instance('four', 'Four', 5, 7),
    ]
    const sort = { field: 'name_label' }
    const whole = reference(sources, sort)
    for (const limit of [1, 3, 7, 33, 100]) {
      for (let offset = 0; offset <= whole.length + 1; offset++) {
        const page = await pageAcross(sources, { collection: 'vms', offset, limit, sort }, signal)
        expect(placesOf(page), `offset ${offset}, limit ${limit}`).toEqual(
          whole.slice(offset, offset + limit),
        )
        expect(page.total).toBe(whole.length)
        expect(page.offset).toBe(offset)
      }
    }
  })

  it('lists the instances one after another when no sort is asked', async () => {
    const sources = [await instance('one', 'One', 4), await instance('two', 'Two', 3)]
    const page = await pageAcross(sources, { collection: 'vms', offset: 3, limit: 2 }, signal)
    expect(placesOf(page)).toEqual([
      ['one', 'one-vm-3'],
      ['two', 'two-vm-0'],
    ])
  })

  it('sorts by instance, then by name within each instance', async () => {
    const sources = [await instance('z', 'Zulu', 2), await instance('a', 'Alpha', 2)]
    const page = await pageAcross(
      sources,
      { collection: 'vms', offset: 0, limit: 10, sort: { field: INSTANCE_SORT_FIELD } },
      signal,
    )
    expect(page.items.map((vm) => `${vm.$instance.label}/${String(vm['name_label'])}`)).toEqual([
      'Alpha/vm-0',
      'Alpha/vm-1',
      'Zulu/vm-0',
      'Zulu/vm-1',
    ])
  })

  it('applies the filter on every instance, in XO syntax, and counts only the matches', async () => {
    const sources = [
      await instance('prod', 'Production', 30, 2),
      await instance('lab', 'Lab', 12, 3),
    ]
    const sort = { field: 'name_label' }
    const page = await pageAcross(
      sources,
      { collection: 'vms', offset: 0, limit: 1_000, sort, filter: 'power_state:Halted' },
      signal,
    )
    expect(page.total).toBe(10 + 4)
    expect(page.items.every((vm) => vm['power_state'] === 'Halted')).toBe(true)
    expect(placesOf(page)).toEqual(reference(sources, sort, 'power_state:Halted'))
  })

  it('refuses a search it cannot read, as a single instance would', async () => {
    const sources = [await instance('prod', 'Production', 3)]
    await expect(
      pageAcross(sources, { collection: 'vms', offset: 0, limit: 10, filter: '(' }, signal),
    ).rejects.toMatchObject({ appError: { code: 'invalid-input' } })
  })

  it('shows the other instances when one cannot be reached, and says which one and why', async () => {
    const prod = await instance('prod', 'Production', 5)
    const down: CrossInstanceSource = {
      ref: { id: 'lab', label: 'Lab' },
      ready: async () => {
        throw new AppFailure('unreachable', 'Could not reach lab.example:443.', 'Check XO.', true)
      },
      view: () => {
        throw new Error('an unreachable instance is never read')
      },
      nameOf: () => undefined,
    }
    const page = await pageAcross(
      [down, prod],
      { collection: 'vms', offset: 0, limit: 10, sort: { field: 'name_label' } },
      signal,
    )
    expect(page.total).toBe(5)
    expect(page.items.map((vm) => vm.$instance.id)).toEqual(Array(5).fill('prod'))
    expect(page.unavailable).toEqual([
      {
        instanceId: 'lab',
        label: 'Lab',
        reason: {
          code: 'unreachable',
          message: 'Could not reach lab.example:443.',
          action: 'Check XO.',
          retryable: true,
        },
      },
    ])
  })

  it('does not wait for an instance whose first read never ends', async () => {
    const prod = await instance('prod', 'Production', 5)
    const hanging: CrossInstanceSource = {
      ref: { id: 'far', label: 'Far away' },
      ready: (wait) =>
        new Promise((_, reject) => wait.addEventListener('abort', () => reject(wait.reason))),
      view: () => [],
      nameOf: () => undefined,
    }
    const page = await pageAcross(
      [prod, hanging],
      { collection: 'vms', offset: 0, limit: 10 },
      signal,
      { waitMs: 1 },
    )
    expect(page.total).toBe(5)
    expect(page.unavailable).toMatchObject([
      { instanceId: 'far', label: 'Far away', reason: { code: 'timeout', retryable: true } },
    ])
    expect(page.unavailable[0]?.reason.message).toContain('Far away')
  })

  it('stops when the request is cancelled, rather than answering without the instances', async () => {
    const hanging: CrossInstanceSource = {
      ref: { id: 'far', label: 'Far away' },
      ready: (wait) =>
        new Promise((_, reject) => wait.addEventListener('abort', () => reject(wait.reason))),
      view: () => [],
      nameOf: () => undefined,
    }
    const cancel = new AbortController()
    const page = pageAcross([hanging], { collection: 'vms', offset: 0, limit: 10 }, cancel.signal)
    cancel.abort(new DOMException('gone', 'AbortError'))
    await expect(page).rejects.toMatchObject({ name: 'AbortError' })
  })
})

describe('mergeWindow', () => {
  it('matches a full merge for lists of numbers with ties across lists', () => {
    const lists = [[1, 1, 2, 5, 9], [0, 1, 5, 5], [], [3, 9, 9, 10]]
    const whole = lists
      .flatMap((list, i) => list.map((value, index) => ({ value, i, index })))
      .sort((a, b) => a.value - b.value || a.i - b.i)
      .map(({ i, index }) => [i, index])
    for (let offset = 0; offset <= whole.length; offset++) {
      for (const limit of [0, 1, 4, 20]) {
        expect(mergeWindow(lists, (a, b) => a - b, offset, limit)).toEqual(
          whole.slice(offset, offset + limit),
        )
      }
    }
  })
})
