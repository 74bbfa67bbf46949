/**
 * RRD statistics of VMs, hosts and pools (`GET /vms/{id}/stats`, `GET /hosts/{id}/stats`,
 * `GET /pools/{id}/stats`), shaped as XO's xapi-stats turns XAPI's `/rrd_updates` into JSON
 * (vatesfr/xen-orchestra, packages/xo-server/src/xapi-stats.mjs): one array per series, oldest
 * first, `endTimestamp` in seconds. Values are a pure function of the object id and the sample
 * time, so two requests agree where they overlap and a chart scrolls instead of jumping.
 */
import { targetRecord as target, type RequestContext } from '../http/context'
import { XapiError, xoError } from '../http/xo-errors'
import type { XoRecord } from '../lab/types'
import { assertPowerState } from '../lab-mutations'
import type { Simulation } from '../simulation'
import type { HandlerTable } from './table'

export type Granularity = 'seconds' | 'minutes' | 'hours' | 'days'

const STEP: Record<Granularity, number> = { seconds: 5, minutes: 60, hours: 3600, days: 86400 }
// XAPI keeps 120/120/168/366 rows per archive; XO asks from one step after the oldest row.
const POINTS: Record<Granularity, number> = { seconds: 119, minutes: 119, hours: 167, days: 365 }

type Series = (number | null)[]
type Keyed = Record<string, Series>
export interface StatsResponse {
  endTimestamp: number
  interval: number
  stats: Record<string, unknown>
}

function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A number in [0, 1) fixed by a seed and a sample time. */
function unit(seed: number, t: number): number {
  let x = Math.imul(seed ^ Math.imul(t | 0, 0x9e3779b1), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32
}

/** XAPI prints RRD values with 5 significant digits; XO then applies its unit conversions. */
const rrd = (value: number): number => Number(value.toPrecision(5))

class Sampler {
  readonly times: number[]
  constructor(
    readonly end: number,
    readonly step: number,
    count: number,
  ) {
    this.times = Array.from({ length: count }, (_, i) => end - (count - 1 - i) * step)
  }

  /** A series for `key`: `level(t, r)` with r a stable random in [0, 1), rounded like XAPI. */
  series(key: string, level: (t: number, r: number) => number, scale = 1): Series {
    const seed = hash32(key)
    return this.times.map((t) => rrd(Math.max(0, level(t, unit(seed, t)))) * scale)
  }

  constant(value: number, scale = 1): Series {
    return this.times.map(() => rrd(value) * scale)
  }
}

function samplerFor(sim: Simulation, granularity: Granularity): Sampler {
  const step = STEP[granularity]
  return new Sampler(Math.floor(sim.nowSeconds() / step) * step, step, POINTS[granularity])
}

/** Office-hours rhythm: busier around 14:00 UTC, quiet at night. */
const daily = (t: number): number =>
  0.5 + 0.5 * Math.sin(((t % 86400) / 86400 - 0.33) * 2 * Math.PI)

const list = (r: XoRecord | undefined, key: string): string[] =>
  (r?.[key] as string[] | undefined) ?? []
const num = (value: unknown, fallback = 0): number => (typeof value === 'number' ? value : fallback)

/** Data sources a client switched on with PUT …/stats/data_source/{name}, per simulation. */
const recorded = new WeakMap<Simulation, Map<string, Set<string>>>()
function recordedSources(sim: Simulation, vmId: string): Set<string> {
  let byVm = recorded.get(sim)
  if (!byVm) recorded.set(sim, (byVm = new Map()))
  let set = byVm.get(vmId)
  if (!set) byVm.set(vmId, (set = new Set()))
  return set
}

/** Disk letters (`a` for xvda) of a VM's plugged disks, as XAPI names its vbd_xvd? sources. */
function diskLetters(sim: Simulation, vm: XoRecord): string[] {
  const letters: string[] = []
  for (const id of list(vm, '$VBDs')) {
    const vbd = sim.store.get('vbds', id)
    const device = vbd?.['device']
    if (typeof device !== 'string' || !/^xvd.$/.test(device) || typeof vbd?.['VDI'] !== 'string')
      continue
    letters.push(device.slice(3))
  }
  return letters.sort()
}

export function vmStats(sim: Simulation, vm: XoRecord, granularity: Granularity): StatsResponse {
  const s = samplerFor(sim, granularity)
  const id = vm.id
  const paused = vm['power_state'] === 'Paused'
  const busy = 0.005 + 0.35 * unit(hash32(id), 1) ** 2
  const memory = vm['memory'] as { size?: number; usage?: number } | undefined
  const size = num(memory?.size, 1024 ** 3)
  const stats: Record<string, unknown> = {}

  // cpu<N>: fraction of a vCPU, that XO turns into percent (xapi-stats.mjs multiplies by 100).
  const cpus: Keyed = {}
  const nCpus = Math.max(1, num((vm['CPUs'] as { number?: number } | undefined)?.number, 1))
  for (let i = 0; i < nCpus; i++) {
    const share = 0.7 + 0.6 * unit(hash32(`${id}:cpu`), i)
    cpus[String(i)] = s.series(
      `${id}:cpu${i}`,
      (t, r) => (paused ? 0 : Math.min(1, busy * share * (0.6 + 0.8 * daily(t)) * (0.8 + 0.4 * r))),
      100,
    )
  }
  stats['cpus'] = cpus
  stats['memory'] = s.constant(size)
  stats['memoryTarget'] = s.constant(size)
  // memory_internal_free comes from the guest agent, in KiB (XO multiplies by 1024).
  if (vm['managementAgentDetected'] === true) {
    const used = num(memory?.usage, size * (0.3 + 0.4 * unit(hash32(id), 2)))
    stats['memoryFree'] = s.series(
      `${id}:memfree`,
      (_t, r) => (Math.max(0, size - used) * (0.98 + 0.04 * r)) / 1024,
      1024,
    )
  }

  const rx: Keyed = {}
  const tx: Keyed = {}
  const rxErrors: Keyed = {}
  const txErrors: Keyed = {}
  const netLevel = 2e3 + 2e6 * unit(hash32(id), 3) ** 3
  for (const vifId of list(vm, 'VIFs')) {
    const device = sim.store.get('vifs', vifId)?.['device']
    if (typeof device !== 'string') continue
    rx[device] = s.series(`${id}:vif${device}rx`, (t, r) =>
      paused ? 0 : netLevel * daily(t) * (0.5 + r),
    )
    tx[device] = s.series(`${id}:vif${device}tx`, (t, r) =>
      paused ? 0 : netLevel * 0.3 * daily(t) * (0.5 + r),
    )
    rxErrors[device] = s.constant(0)
    txErrors[device] = s.constant(0)
  }
  stats['vifs'] = { rx, tx }
  stats['vifErrors'] = { rx: rxErrors, tx: txErrors }

  const reads: Keyed = {}
  const writes: Keyed = {}
  const iopsR: Keyed = {}
  const iopsW: Keyed = {}
  const diskLevel = 1e3 + 3e6 * unit(hash32(id), 4) ** 3
  for (const letter of diskLetters(sim, vm)) {
    const k = `${id}:xvd${letter}`
    const level = (f: number) => (t: number, r: number) =>
      paused ? 0 : diskLevel * f * daily(t) * (r < 0.2 ? 0 : 0.4 + r)
    reads[letter] = s.series(`${k}r`, level(0.4))
    writes[letter] = s.series(`${k}w`, level(1))
    // Same seeds as the throughput: requests follow the bytes (16 KiB reads, 8 KiB writes).
    iopsR[letter] = s.series(`${k}r`, (t, r) => level(0.4)(t, r) / 16384)
    iopsW[letter] = s.series(`${k}w`, (t, r) => level(1)(t, r) / 8192)
  }
  stats['xvds'] = { r: reads, w: writes }
  stats['iops'] = { r: iopsR, w: iopsW }
  addRecordedSources(sim, vm, s, stats, paused)
  return { endTimestamp: s.end, interval: s.step, stats }
}

const RUNSTATES: Record<string, string> = {
  runstate_fullrun: 'runstateFullrun',
  runstate_full_contention: 'runstateFullContention',
  runstate_concurrency_hazard: 'runstateConcurrencyHazard',
  runstate_blocked: 'runstateBlocked',
  runstate_partial_run: 'runstatePartialRun',
  runstate_partial_contention: 'runstatePartialContention',
}

/** Optional sources appear once recorded (XAPI's record_data_source), under XO's names. */
function addRecordedSources(
  sim: Simulation,
  vm: XoRecord,
  s: Sampler,
  stats: Record<string, unknown>,
  paused: boolean,
): void {
  for (const source of recordedSources(sim, vm.id)) {
    const key = `${vm.id}:${source}`
    if (source === 'cpu_usage')
      stats['cpuUsage'] = s.series(key, (_t, r) => (paused ? 0 : 0.05 * r), 100)
    const runstate = RUNSTATES[source]
    if (runstate)
      stats[runstate] = s.series(
        key,
        (_t, r) => (runstate === 'runstateBlocked' ? 0.9 : 0.05) * r,
        100,
      )
    const vbd = /^vbd_xvd(.)_(read_latency|write_latency|iowait|inflight|avgqu_sz)$/.exec(source)
    if (!vbd) continue
    const [, letter = 'a', what] = vbd
    const group = (name: string): Keyed => (stats[name] ??= {}) as Keyed
    if (what === 'read_latency' || what === 'write_latency') {
      const byDir = (stats['vbdLatency'] ??= { r: {}, w: {} }) as { r: Keyed; w: Keyed }
      byDir[what === 'read_latency' ? 'r' : 'w'][letter] = s.series(
        key,
        (_t, r) => 200 + 800 * r,
        1 / 1000,
      )
    } else if (what === 'iowait') group('vbdIowait')[letter] = s.series(key, (_t, r) => 0.02 * r)
    else if (what === 'inflight')
      group('vbdInflight')[letter] = s.series(key, (_t, r) => Math.round(2 * r))
    else group('vbdAvgquSz')[letter] = s.series(key, (_t, r) => 0.5 * r)
  }
}

/** SRs a host reaches through its PBDs that hold virtual disks (not ISO or removable media). */
function hostSrs(sim: Simulation, host: XoRecord): XoRecord[] {
  const srs: XoRecord[] = []
  for (const pbdId of list(host, '$PBDs')) {
    const sr = sim.store.get('srs', sim.store.get('pbds', pbdId)?.['SR'] as string)
    if (sr && sr['SR_type'] !== 'udev' && sr['content_type'] !== 'iso' && sr['SR_type'] !== 'iso')
      srs.push(sr)
  }
  return srs
}

/** The memory a host holds for its running domains (the lab's `memory.usage`, else summed). */
function hostMemoryUsed(sim: Simulation, host: XoRecord): number {
  const usage = num((host['memory'] as { usage?: number } | undefined)?.usage)
  if (usage > 0) return usage
  let sum = 0
  for (const vm of [...sim.store.list('vms'), ...sim.store.list('vm-controllers')]) {
    if (
      vm['$container'] === host.id &&
      (vm['power_state'] === 'Running' || vm['power_state'] === 'Paused')
    ) {
      sum += num((vm['memory'] as { size?: number } | undefined)?.size)
    }
  }
  return sum
}

export function hostStats(
  sim: Simulation,
  host: XoRecord,
  granularity: Granularity,
): StatsResponse {
  const s = samplerFor(sim, granularity)
  const id = host.id
  const nCpus = Math.max(
    1,
    Number((host['CPUs'] as { cpu_count?: string } | undefined)?.cpu_count) ||
      num((host['cpus'] as { cores?: number } | undefined)?.cores, 1),
  )
  let vcpus = 0
  for (const vm of sim.store.list('vms')) {
    if (vm['$container'] === id && vm['power_state'] === 'Running') {
      vcpus += num((vm['CPUs'] as { number?: number } | undefined)?.number, 1)
    }
  }
  const busy = Math.min(0.85, 0.01 + 0.25 * (vcpus / nCpus) * (0.5 + unit(hash32(id), 1)))
  const stats: Record<string, unknown> = {}

  const cpus: Keyed = {}
  for (let i = 0; i < nCpus; i++) {
    const idle = unit(hash32(`${id}:cpu`), i) < 0.3 // parked hyperthreads stay near zero
    cpus[String(i)] = s.series(
      `${id}:cpu${i}`,
      (t, r) => (idle ? 0.00002 * r : Math.min(1, busy * (0.6 + 0.8 * daily(t)) * (0.5 + r))),
      100,
    )
  }
  stats['cpus'] = cpus
  stats['load'] = s.series(`${id}:load`, (t, r) => 0.1 + 2 * busy * daily(t) + 0.3 * r)
  const memory = (host['memory'] as { size?: number } | undefined)?.size ?? 0
  const free = Math.max(0, memory - hostMemoryUsed(sim, host))
  // memory_total_kib and memory_free_kib are in KiB: XO multiplies them by 1024.
  stats['memory'] = s.constant(memory / 1024, 1024)
  stats['memoryFree'] = s.series(
    `${id}:memfree`,
    (_t, r) => (free * (0.995 + 0.01 * r)) / 1024,
    1024,
  )

  const rx: Keyed = {}
  const tx: Keyed = {}
  for (const pifId of list(host, '$PIFs')) {
    const device = sim.store.get('pifs', pifId)?.['device']
    const n = typeof device === 'string' ? /^eth(\d+)$/.exec(device)?.[1] : undefined
    if (n === undefined || rx[n]) continue
    const level = 5e3 + 5e7 * busy * unit(hash32(`${id}:pif`), Number(n))
    rx[n] = s.series(`${id}:pif${n}rx`, (t, r) => level * daily(t) * (0.5 + r))
    tx[n] = s.series(`${id}:pif${n}tx`, (t, r) => level * 0.6 * daily(t) * (0.5 + r))
  }
  stats['pifs'] = { rx, tx }

  // Per-SR sources are keyed by the SR's short uuid (first 8 characters), as XAPI names them.
  const io = {
    ioThroughput: { r: {}, w: {} },
    iops: { r: {}, w: {} },
    latency: { r: {}, w: {} },
    iowait: {},
  }
  for (const sr of hostSrs(sim, host)) {
    const short = String(sr['uuid'] ?? sr.id).slice(0, 8)
    const k = `${id}:${short}`
    const level = 20 * busy * unit(hash32(k), 1)
    const t = io.ioThroughput as { r: Keyed; w: Keyed }
    t.r[short] = s.series(`${k}tr`, (tt, r) => level * 0.4 * daily(tt) * r, 2 ** 20)
    t.w[short] = s.series(`${k}tw`, (tt, r) => level * daily(tt) * r, 2 ** 20)
    const iops = io.iops as { r: Keyed; w: Keyed }
    iops.r[short] = s.series(`${k}ir`, (tt, r) => level * 25 * daily(tt) * r)
    iops.w[short] = s.series(`${k}iw`, (tt, r) => level * 60 * daily(tt) * r)
    const latency = io.latency as { r: Keyed; w: Keyed }
    latency.r[short] = s.series(`${k}lr`, (_tt, r) => (level > 0 ? 150 + 600 * r : 0), 1 / 1e3)
    latency.w[short] = s.series(`${k}lw`, (_tt, r) => (level > 0 ? 300 + 1200 * r : 0), 1 / 1e3)
    ;(io.iowait as Keyed)[short] = s.series(`${k}wait`, (_tt, r) => 0.02 * busy * r)
  }
  Object.assign(stats, io)
  return { endTimestamp: s.end, interval: s.step, stats }
}

/** A halted host does not answer `host.get_servertime`: XAPI's HOST_OFFLINE. */
function hostOffline(host: XoRecord): XapiError {
  return new XapiError('HOST_OFFLINE', [String(host['_xapiRef'] ?? host.id)])
}

function granularityOf(ctx: RequestContext): Granularity {
  return (ctx.query['granularity'] as Granularity | undefined) ?? 'seconds'
}

export function registerStats(table: HandlerTable): void {
  // XO reads the VM's resident host: none when halted or suspended → its 422 (vm.controller.mjs).
  table.on('GET', '/vms/{id}/stats', (ctx) => {
    const vm = target(ctx)
    if (vm['power_state'] !== 'Running' && vm['power_state'] !== 'Paused') {
      // `data.errors` is the serialized incorrectState (code 25); XO puts the whole XAPI record
      // in `object`, the simulator a few of its fields.
      const object = {
        uuid: vm['uuid'] ?? vm.id,
        name_label: vm['name_label'],
        power_state: vm['power_state'],
        resident_on: 'OpaqueRef:NULL',
      }
      const errors = {
        code: 25,
        data: { expected: '<host-uuid>', object, property: 'resident_on' },
      }
      throw xoError.invalidParameters(
        `VM ${ctx.params['id']} is halted or host could not be found.`,
        {
          errors,
        },
      )
    }
    return { status: 200, json: vmStats(ctx.sim, vm, granularityOf(ctx)) }
  })
  table.on('GET', '/hosts/{id}/stats', (ctx) => {
    const host = target(ctx)
    if (host['power_state'] !== 'Running') throw hostOffline(host)
    return { status: 200, json: hostStats(ctx.sim, host, granularityOf(ctx)) }
  })
  // Pool stats: one entry per host, a serialized error for hosts that cannot answer.
  table.on('GET', '/pools/{id}/stats', (ctx) => {
    const pool = target(ctx)
    const byHost: Record<string, unknown> = {}
    for (const host of ctx.sim.store.list('hosts')) {
      if (host['$pool'] !== pool.id) continue
      if (host['power_state'] === 'Running')
        byHost[host.id] = hostStats(ctx.sim, host, granularityOf(ctx))
      else {
        const ref = String(host['_xapiRef'] ?? host.id)
        const call = {
          duration: 150 + (hash32(host.id) % 100),
          method: 'host.get_servertime',
          params: ['* session id *', ref],
        }
        byHost[host.id] = { error: { code: 'HOST_OFFLINE', params: [ref], call } }
      }
    }
    return { status: 200, json: byHost }
  })
  // record_data_source / forget_data_source_archives: XAPI allows them on running VMs only.
  table.on('PUT', '/vms/{id}/stats/data_source/{data_source}', (ctx) => {
    const vm = target(ctx)
    assertPowerState(vm, ['Running'])
    recordedSources(ctx.sim, vm.id).add(ctx.params['data_source'] ?? '')
    return { status: 204 }
  })
  table.on('DELETE', '/vms/{id}/stats/data_source/{data_source}', (ctx) => {
    const vm = target(ctx)
    assertPowerState(vm, ['Running'])
    recordedSources(ctx.sim, vm.id).delete(ctx.params['data_source'] ?? '')
    return { status: 204 }
  })
}
