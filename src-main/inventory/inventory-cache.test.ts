// The cache on its own, fed by hand: coalescing, resync ordering, pages. The simulator-backed
// journeys are in live-inventory.test.ts.
import type { InventoryDiff } from '@contract/inventory'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { XoObjectEvent } from '../xo/events'
import { parse } from 'complex-matcher'
import {
  compileFilter,
  InventoryCache,
  type InventoryLoader,
  type LiveFeed,
} from './inventory-cache'

type Row = { id: string } & Record<string, unknown>

/** A feed the test drives by hand, remembering what the cache subscribed to. */
function fakeFeed() {
  const listeners = new Set<(e: XoObjectEvent) => void>()
  const subscribed = new Map<string, readonly string[]>()
  const feed: LiveFeed = {
    subscribe: (type, fields) => subscribed.set(type, fields),
    onEvent: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  const emit = (kind: XoObjectEvent['kind'], object: Row, type: XoObjectEvent['type'] = 'VM') => {
    for (const l of listeners) l({ kind, type, object })
  }
  return { feed, emit, subscribed, listeners }
}

const vms: Row[] = [
  { id: 'a', name_label: 'web-02', power_state: 'Running', memory: { size: 4 }, href: '/x/a' },
  { id: 'b', name_label: 'db-01', power_state: 'Halted', memory: { size: 8 } },
  { id: 'c', name_label: 'web-10', power_state: 'Running' },
  { id: 'd', name_label: 'Backup', power_state: 'Suspended', memory: { size: 2 } },
]

let cache: InventoryCache | undefined
afterEach(() => cache?.dispose())

function makeCache(load: InventoryLoader, feed?: LiveFeed, frameMs = 10_000) {
  cache = new InventoryCache({
    instanceId: 'i1',
    load,
    collections: { vms: ['name_label', 'power_state', 'memory'] },
    frameMs, // long by default: tests flush by hand, so nothing depends on timing
    ...(feed ? { feed } : {}),
  })
  const diffs: InventoryDiff[] = []
  cache.subscribe((d) => diffs.push(d))
  return { cache, diffs }
}

const loadRows =
  (rows: () => Row[]): InventoryLoader =>
  async () =>
    rows().map((r) => ({ ...r }))

describe('InventoryCache', () => {
  it('subscribes each collection with the same fields it reads, id included', async () => {
    const { feed, subscribed } = fakeFeed()
    const seen: string[][] = []
    makeCache(async (_c, fields) => (seen.push(fields), []), feed)
    await cache?.sync()
    expect(subscribed.get('VM')).toEqual(['id', 'name_label', 'power_state', 'memory'])
    expect(seen).toEqual([['id', 'name_label', 'power_state', 'memory']])
  })

  it('coalesces many updates to one object into one upsert with its last state', async () => {
    const { feed, emit } = fakeFeed()
    const { cache, diffs } = makeCache(
      loadRows(() => vms),
      feed,
    )
    await cache.sync()
    cache.flush()
    diffs.length = 0

    for (let i = 0; i < 100; i++) emit('update', { id: 'a', name_label: `web-${i}` })
    cache.flush()

    expect(diffs).toEqual([
      {
        instanceId: 'i1',
        collection: 'vms',
        upserts: [{ id: 'a', name_label: 'web-99' }],
        removals: [],
        total: 4,
      },
    ])
  })

  it('says nothing about an object added then removed within one frame', async () => {
    const { feed, emit } = fakeFeed()
    const { cache, diffs } = makeCache(
      loadRows(() => vms),
      feed,
    )
    await cache.sync()
    cache.flush()
    diffs.length = 0

    emit('add', { id: 'tmp', name_label: 'x' })
    emit('update', { id: 'tmp', name_label: 'y' })
    emit('remove', { id: 'tmp', name_label: 'y' })
    emit('remove', { id: 'b' })
    cache.flush()

    expect(diffs).toEqual([
      { instanceId: 'i1', collection: 'vms', upserts: [], removals: ['b'], total: 3 },
    ])
  })

  it('sends a frame of changes by itself, once, when the frame ends', async () => {
    const { feed, emit } = fakeFeed()
    const { cache, diffs } = makeCache(
      loadRows(() => vms),
      feed,
      5,
    )
    await cache.sync()
    await vi.waitFor(() => expect(diffs).toHaveLength(1))

    emit('update', { id: 'a', name_label: 'one' })
    emit('update', { id: 'b', name_label: 'two' })
    await vi.waitFor(() => expect(diffs).toHaveLength(2))
    expect(diffs[1]?.upserts.map((o) => o.id)).toEqual(['a', 'b'])
  })

  it('ignores events for collections it does not hold', async () => {
    const { feed, emit } = fakeFeed()
    const { cache, diffs } = makeCache(
      loadRows(() => vms),
      feed,
    )
    await cache.sync()
    cache.flush()
    diffs.length = 0
    emit('update', { id: 'h1', name_label: 'host' }, 'host')
    cache.flush()
    expect(diffs).toEqual([])
  })

  it('keeps a change that arrives while a re-read is in flight, even if the read is older', async () => {
    const { feed, emit } = fakeFeed()
    let release = (): void => undefined
    let rows: Row[] = vms
    const { cache, diffs } = makeCache(async () => {
      const snapshot = rows.map((r) => ({ ...r })) // the read is taken now…
      await new Promise<void>((r) => (release = r)) // …and answered later
      return snapshot
    }, feed)
    const first = cache.sync()
    release()
    await first
    cache.flush()
    diffs.length = 0

    rows = vms.map((r) => (r.id === 'b' ? { ...r, name_label: 'renamed-before-read' } : r))
    const resync = cache.sync()
    await Promise.resolve()
    emit('update', { id: 'a', name_label: 'renamed-during-read', power_state: 'Halted' })
    emit('remove', { id: 'c' })
    release()
    await resync
    cache.flush()

    expect(cache.get('vms', 'a')).toEqual({
      id: 'a',
      name_label: 'renamed-during-read',
      power_state: 'Halted',
    })
    expect(cache.get('vms', 'b')?.['name_label']).toBe('renamed-before-read')
    expect(cache.get('vms', 'c')).toBeUndefined()
    expect(cache.count('vms')).toBe(3)
    expect(diffs).toHaveLength(1)
    expect(diffs[0]).toMatchObject({
      resynced: true,
      removals: ['c'],
      upserts: [
        { id: 'a', name_label: 'renamed-during-read' },
        { id: 'b', name_label: 'renamed-before-read' },
      ],
    })
  })

  it('announces a re-read that found nothing new, so the list can show it is complete', async () => {
    const { cache, diffs } = makeCache(loadRows(() => vms))
    await cache.sync()
    cache.flush()
    await cache.sync()
    cache.flush()
    expect(diffs.map((d) => [d.upserts.length, d.removals.length, d.resynced])).toEqual([
      [4, 0, true],
      [0, 0, true],
    ])
    // `href` from the REST read is not kept: events have none, so it would read as a change.
    expect(cache.get('vms', 'a')).not.toHaveProperty('href')
  })

  it('reads again after the read in flight for a resync that needs fresh data, and keeps the newer data', async () => {
    const answers: Array<(rows: Row[]) => void> = []
    const { cache } = makeCache(() => new Promise((r) => answers.push(r)))
    const early = cache.sync()
    const resync = cache.sync(undefined, { fresh: true })
    const secondResync = cache.sync(undefined, { fresh: true }) // before the re-read starts: shares it
    expect(answers).toHaveLength(1) // one read at a time

    answers[0]?.([{ id: 'old' }])
    await early
    expect(cache.all('vms').map((o) => o.id)).toEqual(['old'])
    await vi.waitFor(() => expect(answers).toHaveLength(2))
    answers[1]?.([{ id: 'new' }])
    await Promise.all([resync, secondResync])

    expect(answers).toHaveLength(2)
    expect(cache.all('vms').map((o) => o.id)).toEqual(['new'])
  })

  it('answers every page asked for before the first read ends from one read of each collection', async () => {
    const calls: string[] = []
    const release: Array<() => void> = []
    const rows: Record<string, Row[]> = { vms, hosts: [{ id: 'h1', name_label: 'host-1' }] }
    cache = new InventoryCache({
      instanceId: 'i1',
      collections: { vms: ['name_label'], hosts: ['name_label'] },
      frameMs: 10_000,
      load: async (collection) => {
        calls.push(collection)
        await new Promise<void>((r) => release.push(r))
        return (rows[collection] ?? []).map((r) => ({ ...r }))
      },
    })
    const inventory = cache
    const pages = Array.from({ length: 5 }, async (_, i) => {
      await inventory.sync()
      return inventory.page(i % 2 ? 'hosts' : 'vms', { offset: 0, limit: 10 })
    })
    for (const r of release) r()

    const answered = await Promise.all(pages)
    expect(calls.sort()).toEqual(['hosts', 'vms'])
    expect(answered.map((p) => p.total)).toEqual([4, 1, 4, 1, 4])
    expect(answered.every((p) => p.items.length === p.total)).toBe(true)
  })

  it('keeps reading for the others when one waiting page gives up', async () => {
    const signals: AbortSignal[] = []
    let release = (): void => undefined
    const { cache } = makeCache(async (_c, _f, signal) => {
      signals.push(signal)
      await new Promise<void>((r) => (release = r))
      return vms.map((r) => ({ ...r }))
    })
    const leaving = new AbortController()
    const gaveUp = cache.sync(leaving.signal)
    const staying = cache.sync(new AbortController().signal)

    leaving.abort(new Error('page closed'))
    await expect(gaveUp).rejects.toThrow('page closed')
    expect(signals[0]?.aborted).toBe(false)
    release()
    await staying
    expect(cache.count('vms')).toBe(4)
    expect(signals).toHaveLength(1)
  })

  it('stops a read nobody waits for any more, and reads anew for the next page', async () => {
    const signals: AbortSignal[] = []
    const { cache } = makeCache(
      (_c, _f, signal) =>
        new Promise((resolve, reject) => {
          signals.push(signal)
          signal.addEventListener('abort', () => reject(signal.reason))
          if (signals.length > 1) resolve(vms.map((r) => ({ ...r })))
        }),
    )
    const leaving = new AbortController()
    const gaveUp = cache.sync(leaving.signal)
    leaving.abort(new Error('page closed'))
    await expect(gaveUp).rejects.toThrow('page closed')
    expect(signals[0]?.aborted).toBe(true)

    await cache.sync()
    expect(signals).toHaveLength(2)
    expect(cache.count('vms')).toBe(4)
  })

  it('pages, sorts (numbers as numbers, missing last) and filters with XO search syntax', async () => {
    const { cache } = makeCache(loadRows(() => vms))
    await cache.sync()

    const byName = cache.page('vms', { offset: 0, limit: 10, sort: { field: 'name_label' } })
    expect(byName.items.map((o) => o.id)).toEqual(['d', 'b', 'a', 'c']) // web-02 before web-10
    expect(byName.total).toBe(4)

    const page2 = cache.page('vms', {
      offset: 1,
      limit: 2,
      sort: { field: 'memory.size', direction: 'desc' },
    })
    expect(page2).toMatchObject({ offset: 1, total: 4 })
    expect(page2.items.map((o) => o.id)).toEqual(['a', 'd'])
    expect(
      cache.page('vms', { offset: 0, limit: 9, sort: { field: 'memory.size' } }).items.at(-1)?.id,
    ).toBe('c')

    const running = cache.page('vms', { offset: 0, limit: 10, filter: 'power_state:running web' })
    expect(running.items.map((o) => o.id)).toEqual(['a', 'c'])
    expect(cache.count('vms', '!power_state:Running')).toBe(2)
    expect(cache.count('vms')).toBe(4)
  })

  it('shows a page that follows live changes', async () => {
    const { feed, emit } = fakeFeed()
    const { cache } = makeCache(
      loadRows(() => vms),
      feed,
    )
    await cache.sync()
    expect(cache.count('vms', 'power_state:Running')).toBe(2)
    emit('update', { id: 'b', name_label: 'db-01', power_state: 'Running' })
    expect(cache.count('vms', 'power_state:Running')).toBe(3)
  })

  it('refuses an unreadable search with a readable error', async () => {
    const { cache } = makeCache(loadRows(() => vms))
    await cache.sync()
    expect(() => cache.page('vms', { offset: 0, limit: 5, filter: 'name_label:(' })).toThrow(
      expect.objectContaining({ appError: expect.objectContaining({ code: 'invalid-input' }) }),
    )
  })

  it('stops listening and sending once disposed', async () => {
    const { feed, emit, listeners } = fakeFeed()
    const { cache, diffs } = makeCache(
      loadRows(() => vms),
      feed,
      5,
    )
    await cache.sync()
    cache.flush()
    diffs.length = 0
    cache.dispose()
    expect(listeners.size).toBe(0)
    emit('update', { id: 'a', name_label: 'late' })
    await new Promise((r) => setTimeout(r, 20))
    expect(diffs).toEqual([])
    await expect(cache.sync()).rejects.toThrow()
  })
})

describe('sorting by pool or host', () => {
  it('orders VMs by the pool names shown, not by pool ids, and follows a rename', async () => {
    const { feed, emit } = fakeFeed()
    const rows: Record<string, Row[]> = {
      vms: [
        { id: 'v1', name_label: 'one', $pool: 'p-aaa' },
        { id: 'v2', name_label: 'two', $pool: 'p-zzz' },
      ],
      pools: [
        { id: 'p-aaa', name_label: 'Zurich' },
        { id: 'p-zzz', name_label: 'Amsterdam' },
      ],
    }
    cache = new InventoryCache({
      instanceId: 'i1',
      load: async (collection) => (rows[collection] ?? []).map((r) => ({ ...r })),
      collections: { vms: ['name_label', '$pool'], pools: ['name_label'] },
      frameMs: 10_000,
      feed,
    })
    await cache.sync()
    const order = () =>
      cache?.page('vms', { offset: 0, limit: 10, sort: { field: '$pool' } }).items.map((v) => v.id)
    expect(order()).toEqual(['v2', 'v1'])
    emit('update', { id: 'p-zzz', name_label: 'Zwolle' }, 'pool')
    cache.flush()
    expect(order()).toEqual(['v1', 'v2'])
  })
})

describe('views kept current by live changes', () => {
  /** A lab of `n` VMs with a few fields that sorts and filters read. */
  const lab = (n: number): Row[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `vm-${String(i).padStart(4, '0')}`,
      name_label: `${['web', 'db', 'app'][i % 3]}-${i % 37}`,
      power_state: i % 4 === 0 ? 'Halted' : 'Running',
      memory: { size: (i * 7919) % 97 },
      ...(i % 5 === 0 ? { tags: ['prod'] } : {}),
    }))
  const QUERIES = [
    { sort: { field: 'name_label' } },
    { sort: { field: 'memory.size', direction: 'desc' as const } },
    { filter: 'power_state:Running' },
    { sort: { field: 'name_label' }, filter: 'power_state:Running web' },
    { sort: { field: 'memory.size' }, filter: '!tags:prod' },
  ]

  it('answers every page as a fresh read would, through updates, additions and removals', async () => {
    const { feed, emit } = fakeFeed()
    const { cache } = makeCache(
      loadRows(() => lab(300)),
      feed,
    )
    await cache.sync()
    const pages = (c: InventoryCache) =>
      QUERIES.map((q) => c.page('vms', { offset: 0, limit: 1_000, ...q }).items.map((o) => o.id))
    pages(cache) // the views exist before the changes
    let seed = 7
    const random = (n: number): number => (seed = (seed * 48_271) % 2_147_483_647) % n
    for (let step = 0; step < 400; step++) {
      const all = cache.all('vms')
      const target = all[random(all.length)] as Row
      const kind = random(10)
      if (kind === 0) emit('remove', target)
      else if (kind === 1) emit('add', { ...target, id: `new-${step}`, name_label: `web-${step}` })
      else if (kind < 5)
        emit('update', { ...target, memory: { size: random(97) } }) // moves it in one sort
      else if (kind < 7)
        emit('update', { ...target, power_state: random(2) ? 'Running' : 'Halted' }) // in or out
      else emit('update', { ...target, name_label: `db-${random(50)}` })
      if (step % 20 !== 0) continue
      const fresh = new InventoryCache({
        instanceId: 'fresh',
        load: async () => cache.all('vms').map((o) => ({ ...o })),
        collections: { vms: ['name_label', 'power_state', 'memory', 'tags'] },
      })
      await fresh.sync()
      expect(pages(cache)).toEqual(pages(fresh))
      fresh.dispose()
    }
  })

  it('keeps the view a page is cut from when a change moves nothing', async () => {
    const { feed, emit } = fakeFeed()
    const { cache } = makeCache(
      loadRows(() => vms),
      feed,
    )
    await cache.sync()
    const sort = { field: 'name_label' }
    const before = cache.view('vms', sort)
    emit('update', { id: 'a', name_label: 'web-02', power_state: 'Halted', memory: { size: 4 } })
    // The same list, not a new sort of it, with the change in it.
    expect(cache.view('vms', sort)).toBe(before)
    expect(cache.page('vms', { offset: 0, limit: 10, sort }).items[2]).toMatchObject({
      id: 'a',
      power_state: 'Halted',
    })
  })

  it('filters exactly as XO search syntax does', () => {
    const objects: unknown[] = [
      ...vms,
      ...lab(40),
      {
        id: 'x',
        name_label: 'Web-PROD',
        tags: ['Blue', 'green'],
        addresses: { '0/ipv4/0': '10.0.0.7' },
      },
      { id: 'y', nested: { deeper: ['needle'] }, n: 42 },
      null,
      'web',
      42,
    ]
    const filters = [
      'web',
      'WEB prod',
      'power_state:Running web',
      '!power_state:Running',
      '|(db app)',
      'tags:prod',
      'tags:green !blue',
      'needle',
      'nested:needle',
      '10.0.0',
      'name_label:/^web-1/',
      'memory:size:>40',
      'n:42',
      'tags?',
      'web*',
      '"web-2"',
    ]
    for (const filter of filters) {
      const library = parse(filter).createPredicate()
      const ours = compileFilter(parse(filter))
      expect(
        objects.map((o) => ours(o)),
        filter,
      ).toEqual(objects.map((o) => library(o)))
    }
  })
})

describe('the first read, collection by collection', () => {
  it('answers the VM list while the disks are still being read, and the disks once they arrive', async () => {
    let releaseDisks: (rows: Row[]) => void = () => undefined
    const disks = new Promise<Row[]>((resolve) => (releaseDisks = resolve))
    const load: InventoryLoader = async (collection) =>
      collection === 'vdis' ? disks : collection === 'vms' ? vms : []
    const { feed, emit } = fakeFeed()
    cache = new InventoryCache({
      instanceId: 'i',
      load,
      feed,
      collections: { vms: ['name_label', 'power_state'], vdis: ['name_label'] },
    })
    const order: string[] = []
    const read = cache.sync().then(() => order.push('whole read'))
    await cache.whenLoaded(['vms']).then(() => order.push('vms'))
    // A change seen while the disks are read is not lost when they arrive.
    emit('update', { id: 'a', name_label: 'web-02', power_state: 'Halted' })
    expect(cache.loaded('vdis')).toBe(false)
    expect(cache.page('vms', { offset: 0, limit: 10 }).total).toBe(4)
    releaseDisks([{ id: 'd1', name_label: 'disk' }])
    await read
    expect(order).toEqual(['vms', 'whole read'])
    expect(cache.count('vdis')).toBe(1)
    expect(cache.get('vms', 'a')?.['power_state']).toBe('Halted')
  })
})

describe('a names list', () => {
  it('gets only the fields it asks for, with the id', async () => {
    cache = new InventoryCache({
      instanceId: 'i',
      load: async () => vms,
      collections: { vms: ['name_label', 'power_state', 'memory'] },
    })
    await cache.sync()
    const page = cache.page('vms', { offset: 0, limit: 10, fields: ['name_label'] })
    expect(page.items.map((item) => Object.keys(item).sort())).toEqual(
      vms.map(() => ['id', 'name_label']),
    )
  })
})
