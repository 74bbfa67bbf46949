// 100,000 VMs streamed from the simulator must not be held in memory at once.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { XoClient } from './client'

const VMS = 100_000
const MiB = 1024 * 1024
let sim: RunningSimulator
let xo: XoClient

beforeAll(async () => {
  sim = await startSimulator({ seed: 'xo-memory', vms: VMS, life: false }) // ~3 s to generate
  xo = new XoClient({ baseUrl: sim.url, token: () => sim.token })
}, 60_000)
afterAll(async () => {
  await xo.close()
  await sim.close()
})

it('streams 100,000 VMs with less than 50 MiB of memory growth', async () => {
  const fields = ['id', 'name_label', 'power_state', '$pool', 'memory.size', 'tags']
  // Warm up sockets, parser and JIT so the baseline is not the first-request cost.
  for await (const _vm of xo.stream('vms', { fields, limit: 2_000 }, new AbortController().signal));
  const baseline = process.memoryUsage().rss
  let peak = baseline
  let count = 0
  for await (const vm of xo.stream('vms', { fields }, new AbortController().signal)) {
    if (typeof vm.name_label !== 'string') throw new Error(`line ${count} has no name_label`)
    if (++count % 1_000 === 0) peak = Math.max(peak, process.memoryUsage().rss)
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  const growth = (peak - baseline) / MiB
  console.info(`100k VMs: peak RSS growth ${growth.toFixed(1)} MiB`)
  expect(count).toBeGreaterThanOrEqual(VMS)
  expect(growth).toBeLessThan(50)
}, 60_000)
