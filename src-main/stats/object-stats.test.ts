import type { AppError, Input, ObjectStats, StatsGranularity } from '@contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import type { XoRecord } from '../simulator/lab/types'
import { TEST_CORE } from '../test-support/test-core'
import { poolCharts, timelineOf, timestampsOf } from './stats-charts'
import { readSampledObject, type SampledObject } from './xapi-stats'

const signal = new AbortController().signal
let core: AppCore

type StatsQuery = Omit<Input<'objects.stats'>, 'instanceId'>

async function stats(query: StatsQuery): Promise<ObjectStats> {
  const res = await core.dispatch('objects.stats', { instanceId: 'demo', ...query }, signal)
  if (!res.ok) throw new Error(`${res.error.message} ${res.error.action}`)
  return res.value as ObjectStats
}

async function failure(query: StatsQuery): Promise<AppError> {
  const res = await core.dispatch('objects.stats', { instanceId: 'demo', ...query }, signal)
  if (res.ok) throw new Error('expected a failure')
  return res.error
}

function records(collection: 'vms' | 'hosts' | 'pools'): XoRecord[] {
  return [...(core.demo.simulator?.lab.store.list(collection) ?? [])]
}

/** Every series of every chart spans the timeline: one value per timestamp. */
function expectAligned(s: ObjectStats): void {
  expect(s.timestamps.length).toBeGreaterThan(0)
  for (const chart of s.charts)
    for (const series of chart.series)
      expect(series.values, `${chart.kind} ${series.key}`).toHaveLength(s.timestamps.length)
}

describe('object stats through the app core (Demo lab)', { timeout: 120_000 }, () => {
  let runningVm: XoRecord
  let haltedVm: XoRecord

  beforeAll(async () => {
    core = createAppCore({
      ...TEST_CORE,
      demoLab: { life: false, seed: 'object-stats' },
      log: () => undefined,
    })
    const opened = await core.dispatch('demo.open', undefined, signal)
    if (!opened.ok) throw new Error(opened.error.message)
    const vms = records('vms')
    const hasDevices = (vm: XoRecord): boolean =>
      (vm['VIFs'] as unknown[] | undefined)?.length !== 0 &&
      (vm['$VBDs'] as unknown[] | undefined)?.length !== 0
    const running = vms.find(
      (vm) => vm['power_state'] === 'Running' && vm['managementAgentDetected'] && hasDevices(vm),
    )
    const halted = vms.find((vm) => vm['power_state'] === 'Halted')
    if (!running || !halted) throw new Error('the Demo lab lacks a running or a halted VM')
    runningVm = running
    haltedVm = halted
  })
  afterAll(async () => {
    await core.dispose()
  })

  it('a running VM has CPU, memory, network and disk charts over the same timeline', async () => {
    const s = await stats({ collection: 'vms', id: runningVm.id, granularity: 'seconds' })

    expect(s.charts.map((c) => c.kind)).toEqual(['cpu', 'memory', 'network', 'disk'])
    expectAligned(s)
    const chart = (kind: string) => s.charts.find((c) => c.kind === kind)
    expect(chart('cpu')?.unit).toBe('percent')
    expect(chart('memory')?.series.map((x) => x.key)).toEqual(['memory', 'memory_used'])
    expect(chart('network')?.series.map((x) => x.key)).toContain('vif_0_rx')
    expect(chart('disk')?.series.map((x) => x.key)).toContain('xvda_read')
    // Used memory is below the VM's memory, CPU within 0–100 %.
    const [total, used] = chart('memory')?.series ?? []
    expect(used?.values.every((v, i) => v !== null && v <= (total?.values[i] ?? 0))).toBe(true)
    expect(chart('cpu')?.series.every((x) => x.values.every((v) => v !== null && v <= 100))).toBe(
      true,
    )
  })

  it('the timestamps go back from the newest sample, oldest first, one interval apart', async () => {
    const s = await stats({ collection: 'vms', id: runningVm.id, granularity: 'minutes' })
    const steps = s.timestamps.slice(1).map((t, i) => t - (s.timestamps[i] ?? 0))
    expect(new Set(steps)).toEqual(new Set([60_000]))
    expect(s.timestamps.at(-1)).toBeLessThanOrEqual(Date.now())
    expect(s.timestamps.at(-1)).toBeGreaterThan(Date.now() - 3 * 60_000)
  })

  it.each([
    ['seconds', 5],
    ['minutes', 60],
    ['hours', 3600],
    ['days', 86400],
  ] as [StatsGranularity, number][])(
    'granularity %s samples every %i s',
    async (granularity, interval) => {
      const s = await stats({ collection: 'vms', id: runningVm.id, granularity })
      expect(s).toMatchObject({ granularity, interval })
      expectAligned(s)
    },
  )

  it('a halted VM says XO keeps no stats for it, and to start it', async () => {
    const error = await failure({ collection: 'vms', id: haltedVm.id, granularity: 'seconds' })
    expect(error.message).toBe(
      `${String(haltedVm['name_label'])} is halted: XO keeps no stats for a halted VM.`,
    )
    expect(error.action).toBe('Start it to see its graphs.')
  })

  it('an unknown VM is not found, with what to do', async () => {
    const error = await failure({
      collection: 'vms',
      id: '00000000-0000-4000-8000-000000000000',
      granularity: 'seconds',
    })
    expect(error.code).toBe('not-found')
    expect(error.action).not.toBe('')
  })

  it('a running host has CPU, memory, network and load charts', async () => {
    const host = records('hosts').find((h) => h['power_state'] === 'Running')
    const s = await stats({ collection: 'hosts', id: host?.id ?? '', granularity: 'seconds' })
    expect(s.charts.map((c) => c.kind)).toEqual(expect.arrayContaining(['cpu', 'memory', 'load']))
    expect(s.charts.find((c) => c.kind === 'load')?.unit).toBe('count')
    expectAligned(s)
  })

  it('a pool has one line per measure for the pool as a whole', async () => {
    const pool = records('pools')[0]
    const s = await stats({ collection: 'pools', id: pool?.id ?? '', granularity: 'minutes' })
    const keys = Object.fromEntries(s.charts.map((c) => [c.kind, c.series.map((x) => x.key)]))
    expect(keys).toMatchObject({ cpu: ['cpu'], memory: ['memory', 'memory_used'], load: ['load'] })
    expect(s.interval).toBe(60)
    expectAligned(s)
  })
})

describe('a pool whose hosts sampled at different times', () => {
  const host = (end: number, cpu: number[]): SampledObject | undefined =>
    readSampledObject({ endTimestamp: end, interval: 5, stats: { cpus: { 0: cpu } } })

  it('lines the hosts up by time, with a gap where one has no sample yet', () => {
    const hosts = [host(1000, [10, 20, 30]), host(995, [50, 60, 70])].filter(
      (h): h is SampledObject => h !== undefined,
    )
    const timeline = timelineOf(hosts)
    if (!timeline) throw new Error('no timeline')
    expect(timestampsOf(timeline)).toEqual([985_000, 990_000, 995_000, 1_000_000])
    // 990 s: (10 + 60) / 2, 995 s: (20 + 70) / 2; at 985 s and 1000 s one host has no sample.
    expect(poolCharts(hosts, timeline)[0]?.series[0]?.values).toEqual([null, 35, 45, null])
  })
})
