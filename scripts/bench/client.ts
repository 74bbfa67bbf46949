// Client benchmark, all against the same simulator URL in the same run (shared, noisy machines):
// listing 10,000 and 100,000 VMs with 8 fields by XoClient, beside curl (transfer only) and a
// minimal reference client (undici `request()` + NDJSON split line by line); NDJSON throughput and
// peak RSS; and the latency from an action's task ending to the diff reaching the renderer's side.
import { execFile } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { request } from 'undici'
import type { InventoryDiff } from '../../src-preload/contract/inventory'
import { createAppCore } from '../../src-main/app-core'
import { startSimulator } from '../../src-main/simulator/server'
import { XoClient } from '../../src-main/xo/client'

const FIELDS = [
  'name_label',
  'power_state',
  '$pool',
  '$container',
  'CPUs',
  'memory',
  'mainIpAddress',
  'tags',
]
const run = promisify(execFile)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn() // warm-up
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  return median(times)
}

/** The reference: a few lines of undici, parsing the NDJSON response line by line. */
async function referenceList(url: string, token: string): Promise<number> {
  const res = await request(url, { headers: { cookie: `authenticationToken=${token}` } })
  let count = 0
  let rest = ''
  for await (const chunk of res.body) {
    const lines = (rest + Buffer.from(chunk as Buffer).toString('utf8')).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) if (line) count += JSON.parse(line) ? 1 : 0
  }
  if (rest) count++
  return count
}

async function listingLines(vms: number, runs: number): Promise<string[]> {
  const sim = await startSimulator({ seed: 'bench', vms, life: false })
  const client = new XoClient({ baseUrl: sim.url, token: () => sim.token })
  const signal = new AbortController().signal
  const fields = FIELDS.join(',')
  const url = `${sim.url}/vms?fields=${encodeURIComponent(fields)}&ndjson=true`
  try {
    const curlMs = await timeIt(runs, () =>
      run('curl', ['-s', '-o', '/dev/null', '-b', `authenticationToken=${sim.token}`, url]),
    )
    const referenceMs = await timeIt(runs, () => referenceList(url, sim.token))
    const streamMs = await timeIt(runs, async () => {
      let n = 0
      for await (const _vm of client.stream('vms', { fields: FIELDS }, signal)) n++
      return n
    })
    const listMs = await timeIt(runs, () => client.list('vms', { fields: FIELDS }, signal))
    const n = vms.toLocaleString('en')
    return [
      `${n} VMs, 8 fields — curl (transfer only): ${curlMs.toFixed(0)} ms; reference undici client: ${referenceMs.toFixed(0)} ms`,
      `${n} VMs — XoClient.stream (NDJSON): ${streamMs.toFixed(0)} ms = ${(streamMs / referenceMs).toFixed(2)}× the reference (target ≤ 1.2×: ${streamMs / referenceMs <= 1.2 ? 'met' : 'NOT met'}); ${(vms / (streamMs / 1000)).toFixed(0)} VMs/s`,
      `${n} VMs — XoClient.list (JSON array): ${listMs.toFixed(0)} ms = ${(listMs / referenceMs).toFixed(2)}× the reference`,
    ]
  } finally {
    await client.close()
    await sim.close()
  }
}

async function rssLine(): Promise<string> {
  const sim = await startSimulator({ seed: 'bench', vms: 100_000, life: false })
  const client = new XoClient({ baseUrl: sim.url, token: () => sim.token })
  try {
    global.gc?.()
    const before = process.memoryUsage().rss
    let peak = before
    let n = 0
    const t0 = performance.now()
    for await (const _vm of client.stream(
      'vms',
      { fields: FIELDS },
      new AbortController().signal,
    )) {
      if (++n % 5_000 === 0) peak = Math.max(peak, process.memoryUsage().rss)
    }
    const ms = performance.now() - t0
    return `NDJSON of ${n.toLocaleString('en')} VMs (simulator in the same process): ${(n / (ms / 1000)).toFixed(0)} VMs/s, peak RSS growth ${((peak - before) / 2 ** 20).toFixed(1)} MiB (includes the simulator's own buffers)`
  } finally {
    await client.close()
    await sim.close()
  }
}

/** From the simulator's task turning `success` to the inventory diff the renderer would get. */
async function actionLatencyLine(): Promise<string> {
  const core = createAppCore({
    appInfo: {
      name: 'bench',
      version: '0',
      platform: process.platform,
      arch: process.arch,
      runtime: { node: process.versions.node },
    },
    openExternal: async () => undefined,
    heartbeatMs: 0,
    demoLab: { life: false, actionDelayMs: 50, seed: 'bench' },
    log: () => undefined,
  })
  try {
    await core.dispatch('demo.open', undefined, AbortSignal.timeout(30_000))
    // Live events only: a change before the stream is live comes with the first read's resync
    // diff, which carries no objects (InventoryDiff).
    await core.instances.get('demo').live.stream.whenLive(AbortSignal.timeout(30_000))
    const lab = core.demo.simulator?.lab
    if (!lab) throw new Error('no demo lab')
    const samples: number[] = []
    const halted = [...lab.store.list('vms')]
      .filter((vm) => vm['power_state'] === 'Halted')
      .slice(0, 10)
    for (const vm of halted) {
      let endedAt = 0
      const stopStore = lab.store.subscribe((_kind, collection, record) => {
        if (collection === 'vms' && record.id === vm.id && record['power_state'] === 'Running')
          endedAt = performance.now()
      })
      const reached = new Promise<number>((resolve) => {
        const stop = core.hub.subscribe((name, payload) => {
          const diff = payload as InventoryDiff
          if (
            name === 'inventory.diff' &&
            diff.upserts.some((o) => o.id === vm.id && o['power_state'] === 'Running')
          ) {
            stop()
            resolve(performance.now())
          }
        })
      })
      await core.dispatch(
        'vms.action',
        { instanceId: 'demo', vmId: vm.id, action: 'start' },
        AbortSignal.timeout(30_000),
      )
      const at = await reached
      stopStore()
      samples.push(at - endedAt)
    }
    return `action → renderer: from the VM turning Running in XO to the coalesced diff leaving main: median ${median(samples).toFixed(1)} ms over ${samples.length} starts (includes the 16 ms frame batching)`
  } finally {
    await core.dispose()
  }
}

export async function benchClient(): Promise<string[]> {
  return [
    ...(await listingLines(10_000, 9)),
    ...(await listingLines(100_000, 3)),
    await rssLine(),
    await actionLatencyLine(),
  ]
}
