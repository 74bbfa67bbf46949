/**
 * XO's sampled series as charts: one timeline, every series as long as it, charts without a
 * series left out (a VM without disks has no disk chart).
 */
import type { StatsChart, StatsSeries } from '@contract'
import { allSamples, type SampledObject, type Samples } from './xapi-stats'

/** Past this many CPUs one line each is unreadable: the chart shows their mean instead. */
export const MAX_CPU_LINES = 8

/** The samples' times: the newest at `end` (seconds), `length` of them `interval` apart. */
export interface Timeline {
  end: number
  interval: number
  length: number
}

/** The timeline that holds every sample of these answers (a pool's hosts may differ by a step). */
export function timelineOf(objects: SampledObject[]): Timeline | undefined {
  const first = objects[0]
  if (!first) return undefined
  const { interval } = first
  const end = Math.max(...objects.map((o) => o.end))
  let oldest = end
  for (const o of objects) {
    const longest = Math.max(0, ...allSamples(o).map((s) => s.length))
    if (longest > 0) oldest = Math.min(oldest, o.end - (longest - 1) * interval)
  }
  const hasSamples = objects.some((o) => allSamples(o).some((s) => s.length > 0))
  if (!hasSamples) return undefined
  return { end, interval, length: Math.round((end - oldest) / interval) + 1 }
}

/** The samples' times in ms since the epoch, oldest first. */
export function timestampsOf(t: Timeline): number[] {
  return Array.from(
    { length: t.length },
    (_, i) => (t.end - (t.length - 1 - i) * t.interval) * 1000,
  )
}

/** `samples` of `from` placed on the timeline by time; `null` where it has none. */
function align(samples: Samples, from: SampledObject, t: Timeline): Samples {
  const out: Samples = new Array<number | null>(t.length).fill(null)
  const newest = t.length - 1 - Math.round((t.end - from.end) / t.interval)
  for (let i = 0; i < samples.length; i++) {
    const j = newest - (samples.length - 1 - i)
    if (j >= 0 && j < t.length) out[j] = samples[i] ?? null
  }
  return out
}

/** Point by point; a gap in any input is a gap in the result (not a misleading dip). */
function combine(lists: Samples[], how: 'sum' | 'mean', length: number): Samples {
  return Array.from({ length }, (_, i) => {
    let total = 0
    for (const list of lists) {
      const v = list[i]
      if (v === null || v === undefined) return null
      total += v
    }
    return how === 'sum' ? total : total / lists.length
  })
}

function used(memory: Samples, free: Samples): Samples {
  return memory.map((m, i) => {
    const f = free[i]
    return m === null || f === null || f === undefined ? null : Math.max(0, m - f)
  })
}

function charts(parts: Record<StatsChart['kind'], StatsSeries[]>): StatsChart[] {
  const units: Record<StatsChart['kind'], StatsChart['unit']> = {
    cpu: 'percent',
    memory: 'bytes',
    network: 'bytes-per-second',
    disk: 'bytes-per-second',
    load: 'count',
  }
  const kinds = ['cpu', 'memory', 'network', 'disk', 'load'] as const
  return kinds
    .filter((kind) => parts[kind].length > 0)
    .map((kind) => ({ kind, unit: units[kind], series: parts[kind] }))
}

/** Per device, its two directions next to each other: `vif_0_rx`, `vif_0_tx`, `vif_1_rx`… */
function pairs(
  o: SampledObject,
  t: Timeline,
  a: [string, Samples][],
  b: [string, Samples][],
  suffixes: [string, string],
): StatsSeries[] {
  const devices = [...new Set([...a, ...b].map(([key]) => key))]
  const series: StatsSeries[] = []
  for (const device of devices) {
    for (const [list, suffix] of [
      [a, suffixes[0]],
      [b, suffixes[1]],
    ] as const) {
      const found = list.find(([key]) => key === device)
      if (found) series.push({ key: `${device}_${suffix}`, values: align(found[1], o, t) })
    }
  }
  return series
}

/** A VM's or a host's charts: a line per CPU (or their mean), interface and disk. */
export function objectCharts(o: SampledObject, t: Timeline): StatsChart[] {
  const cpus = o.cpus.map(([key, s]) => ({ key, values: align(s, o, t) }))
  const memory: StatsSeries[] = []
  if (o.memory) {
    memory.push({ key: 'memory', values: align(o.memory, o, t) })
    // A VM without guest agent reports no free memory: only its allocation is known.
    if (o.memoryFree)
      memory.push({ key: 'memory_used', values: align(used(o.memory, o.memoryFree), o, t) })
  }
  return charts({
    cpu:
      cpus.length > MAX_CPU_LINES
        ? [
            {
              key: 'cpu',
              values: combine(
                cpus.map((c) => c.values),
                'mean',
                t.length,
              ),
            },
          ]
        : cpus,
    memory,
    network: pairs(o, t, o.rx, o.tx, ['rx', 'tx']),
    disk: pairs(o, t, o.reads, o.writes, ['read', 'write']),
    load: o.load ? [{ key: 'load', values: align(o.load, o, t) }] : [],
  })
}

/**
 * A pool's charts from its running hosts' answers (`GET /pools/{id}/stats` answers one per host):
 * the pool as a whole, one line per measure — CPU as the mean of every CPU of the pool, memory,
 * network, disk and load as sums. A line per host would not scale to a 64-host pool, and the
 * hosts have their own graphs.
 */
export function poolCharts(hosts: SampledObject[], t: Timeline): StatsChart[] {
  const every = (pick: (h: SampledObject) => Samples[]): Samples[] =>
    hosts.flatMap((h) => pick(h).map((s) => align(s, h, t)))
  const total = (lists: Samples[], key: string): StatsSeries[] =>
    lists.length > 0 ? [{ key, values: combine(lists, 'sum', t.length) }] : []
  const cpus = every((h) => h.cpus.map(([, s]) => s))
  const memory: StatsSeries[] = []
  if (hosts.every((h) => h.memory)) {
    memory.push(
      ...total(
        every((h) => (h.memory ? [h.memory] : [])),
        'memory',
      ),
    )
    if (hosts.every((h) => h.memoryFree))
      memory.push(
        ...total(
          every((h) => (h.memory && h.memoryFree ? [used(h.memory, h.memoryFree)] : [])),
          'memory_used',
        ),
      )
  }
  const values = (list: [string, Samples][]): Samples[] => list.map(([, s]) => s)
  return charts({
    cpu: cpus.length > 0 ? [{ key: 'cpu', values: combine(cpus, 'mean', t.length) }] : [],
    memory,
    network: [
      ...total(
        every((h) => values(h.rx)),
        'rx',
      ),
      ...total(
        every((h) => values(h.tx)),
        'tx',
      ),
    ],
    disk: [
      ...total(
        every((h) => values(h.reads)),
        'read',
      ),
      ...total(
        every((h) => values(h.writes)),
        'write',
      ),
    ],
    load: total(
      every((h) => (h.load ? [h.load] : [])),
      'load',
    ),
  })
}
