// The "All instances" page (`inventory.pageAll`) over 2 × 10,000 VMs: the k-way merge of the
// caches' sorted views against concatenating and sorting again, per 200-row page.
import { performance } from 'node:perf_hooks'
import { pageAcross, sourceOf } from '../../src-main/inventory/cross-instance'
import { comparator, InventoryCache } from '../../src-main/inventory/inventory-cache'

const VMS = 10_000
const LIMIT = 200
const POWER = ['Running', 'Halted', 'Suspended', 'Running']

async function source(id: string, seed: number) {
  let x = seed
  const random = (): number => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
  const vms = Array.from({ length: VMS }, (_, n) => ({
    id: `${id}-${n}`,
    name_label: `${['web', 'db', 'build', 'cache'][n % 4]}-${Math.floor(random() * 1e6)}`,
    power_state: POWER[n % POWER.length],
    memory: { size: Math.floor(random() * 64) * 2 ** 30 },
  }))
  const cache = new InventoryCache({
    instanceId: id,
    load: async (collection) => (collection === 'vms' ? vms : []),
  })
  await cache.sync()
  return {
    cache,
    source: sourceOf({ id, label: id, live: { ready: async () => undefined, cache } }),
  }
}

/** Median time of `runs` calls, in ms. */
async function median(runs: number, run: () => unknown): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await run()
    times.push(performance.now() - start)
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? 0
}

export async function benchPageAll(): Promise<string[]> {
  const a = await source('a', 1)
  const b = await source('b', 2)
  const sources = [a.source, b.source]
  const signal = new AbortController().signal
  const sort = { field: 'name_label' }
  const page = (offset: number, filter?: string) =>
    pageAcross(
      sources,
      {
        collection: 'vms',
        offset,
        limit: LIMIT,
        sort,
        ...(filter ? { filter } : {}),
      },
      signal,
    )
  const lines: string[] = []
  const fmt = (ms: number): string => `${ms.toFixed(2)} ms`

  let start = performance.now()
  await page(0)
  lines.push(
    `first page, each cache sorting its 10,000 VMs first: ${fmt(performance.now() - start)}`,
  )
  for (const offset of [0, 10_000, 2 * VMS - LIMIT]) {
    lines.push(
      `merged page at offset ${offset}: ${fmt(await median(51, () => page(offset)))} (median of 51)`,
    )
  }
  start = performance.now()
  await page(0, 'power_state:Halted')
  lines.push(`first filtered page (power_state:Halted): ${fmt(performance.now() - start)}`)
  lines.push(
    `filtered page at offset 2,000 (of ${(await page(0, 'power_state:Halted')).total}): ${fmt(await median(51, () => page(2_000, 'power_state:Halted')))}`,
  )
  // What the merge replaces: both views concatenated and sorted again on every page.
  const compare = comparator(sort)
  const naive = (offset: number) =>
    [...a.cache.all('vms'), ...b.cache.all('vms')].sort(compare).slice(offset, offset + LIMIT)
  lines.push(
    `concatenate and sort again, per page: ${fmt(await median(11, () => naive(10_000)))} (median of 11)`,
  )
  a.cache.dispose()
  b.cache.dispose()
  return lines
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchPageAll()) console.log(`- ${line}`)
}
