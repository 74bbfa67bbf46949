/**
 * XO's stats answers (`GET /vms/{id}/stats`, `GET /hosts/{id}/stats`; spec schemas XapiVmStats and
 * XapiHostStats) read from untyped JSON into the series XO Desk charts. XO turns XAPI's RRDs into
 * one array per data source, oldest first, `endTimestamp` in seconds; CPU already in percent,
 * memory and throughputs in bytes and bytes/s.
 */

/** One data source's samples, oldest first; `null` where XAPI had none (NaN). */
export type Samples = (number | null)[]

/** A VM's or host's answer, only what the charts use; keys already name the device. */
export interface SampledObject {
  /** Seconds since the epoch of the newest sample. */
  end: number
  /** Seconds between two samples. */
  interval: number
  /** Per CPU, `cpu0`, `cpu1`…, in percent. */
  cpus: [string, Samples][]
  /** Total memory, bytes. */
  memory?: Samples
  /** Free memory, bytes: a host's, or a VM's when its guest agent reports it. */
  memoryFree?: Samples
  /** Per interface (`vif_0`, `pif_0`), bytes/s. */
  rx: [string, Samples][]
  tx: [string, Samples][]
  /** Per disk (`xvda`) or, for a host, per SR (`sr_1a2b3c4d`), bytes/s. */
  reads: [string, Samples][]
  writes: [string, Samples][]
  /** A host's load average. */
  load?: Samples
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function samples(value: unknown): Samples | undefined {
  if (!Array.isArray(value)) return undefined
  return value.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null))
}

/** `{"0": […], "1": […]}` → `[[prefix0, …], …]`, in device order (`2` before `10`). */
function keyed(value: unknown, name: (key: string) => string): [string, Samples][] {
  if (!isRecord(value)) return []
  const out: [string, Samples][] = []
  for (const key of Object.keys(value).sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  )) {
    const s = samples(value[key])
    if (s) out.push([name(key), s])
  }
  return out
}

const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined)

/**
 * A VM's or host's answer, or undefined when it is not one (a pool's per-host error entry).
 * VMs have `vifs` and `xvds`; hosts `pifs`, `ioThroughput` (per SR) and `load`.
 */
export function readSampledObject(json: unknown): SampledObject | undefined {
  const end = field(json, 'endTimestamp')
  const interval = field(json, 'interval')
  const stats = field(json, 'stats')
  if (typeof end !== 'number' || typeof interval !== 'number' || interval <= 0) return undefined
  if (!isRecord(stats)) return undefined
  const net = isRecord(stats['vifs']) ? 'vif' : 'pif'
  const nets = stats[`${net}s`]
  const disks = isRecord(stats['xvds']) ? stats['xvds'] : stats['ioThroughput']
  const disk = isRecord(stats['xvds']) ? (k: string) => `xvd${k}` : (k: string) => `sr_${k}`
  const memory = samples(stats['memory'])
  const memoryFree = samples(stats['memoryFree'])
  const load = samples(stats['load'])
  return {
    end,
    interval,
    cpus: keyed(stats['cpus'], (k) => `cpu${k}`),
    ...(memory ? { memory } : {}),
    ...(memoryFree ? { memoryFree } : {}),
    rx: keyed(field(nets, 'rx'), (k) => `${net}_${k}`),
    tx: keyed(field(nets, 'tx'), (k) => `${net}_${k}`),
    reads: keyed(field(disks, 'r'), disk),
    writes: keyed(field(disks, 'w'), disk),
    ...(load ? { load } : {}),
  }
}

/** Every series of an answer, to size its timeline. */
export function allSamples(o: SampledObject): Samples[] {
  const lists = [o.cpus, o.rx, o.tx, o.reads, o.writes].flatMap((l) => l.map(([, s]) => s))
  for (const s of [o.memory, o.memoryFree, o.load]) if (s) lists.push(s)
  return lists
}
