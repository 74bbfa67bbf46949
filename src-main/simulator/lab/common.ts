/**
 * What the lab generator's phases share: units, the generation context, and the typed view of the
 * records whose link lists are filled in after creation
 * (docs/xo-rest-api.md#what-objects-look-like).
 */
import { Random } from './random'
import { COLLECTIONS, type CollectionName, type XoRecord } from './types'

export const MiB = 1024 ** 2
export const GiB = 1024 ** 3
export const TiB = 1024 ** 4

/** The fixed "now" of a lab when the caller gives none: 2026-11-01T00:00:00Z. */
export const DEFAULT_NOW = Date.UTC(2026, 10, 1)
export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
export const DAY_S = 86_400

/**
 * Freezes a value and everything in it. Objects shared by many records (empty lists, BIOS strings…)
 * are frozen so that an in-place edit fails loudly instead of changing every record at once; XO
 * itself freezes its objects (`xapi-object-to-xo.mjs`), the store replaces them.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

export const EMPTY_LIST: readonly never[] = deepFreeze([])
export const EMPTY_MAP: Readonly<Record<string, never>> = deepFreeze({})

export interface LabContext {
  seed: string
  /** ms since the epoch (XO times). */
  now: number
  /** s since the epoch (XAPI times, docs/xo-rest-api.md#what-objects-look-like). */
  nowSeconds: number
  collections: Record<CollectionName, XoRecord[]>
  /** The random stream of one generation phase. */
  random(stream: string): Random
}

export function createContext(seed: string, now: number): LabContext {
  const collections = {} as Record<CollectionName, XoRecord[]>
  for (const name of COLLECTIONS) collections[name] = []
  return {
    seed,
    now,
    nowSeconds: Math.floor(now / 1000),
    collections,
    random: (stream) => Random.of(seed, stream),
  }
}

/** ISO date of a ms timestamp (`creation.date`, docs/xo-rest-api.md#what-objects-look-like). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString()
}

// Records whose link lists and totals are completed by later phases.

export interface PoolRecord extends XoRecord {
  name_label: string
  master: string
}

export interface HostRecord extends XoRecord {
  name_label: string
  address: string
  residentVms: string[]
  $PBDs: string[]
  PIFs: string[]
  $PIFs: string[]
  PCIs: string[]
  $PCIs: string[]
  PGPUs: string[]
  $PGPUs: string[]
  memory: { size: number; usage: number }
}

export interface SrRecord extends XoRecord {
  name_label: string
  SR_type: string
  shared: boolean
  size: number
  usage: number
  physical_usage: number
  VDIs: string[]
  $PBDs: string[]
  $container: string
}

export interface VdiRecord extends XoRecord {
  name_label: string
  size: number
  usage: number
  $SR: string
  $VBDs: string[]
  /** Replaced (not pushed to) when a snapshot is added: most disks share the empty list. */
  snapshots: readonly string[]
}

export interface NetworkRecord extends XoRecord {
  name_label: string
  MTU: number
  PIFs: string[]
  VIFs: string[]
}

export interface VmRecord extends XoRecord {
  name_label: string
  name_description: string
  power_state: 'Running' | 'Halted' | 'Paused' | 'Suspended'
  tags: string[]
  $container: string
  $VBDs: string[]
  VIFs: string[]
  /** Replaced (not pushed to) when a snapshot is added: most VMs share the empty list. */
  snapshots: readonly string[]
  memory: { dynamic: readonly number[]; static: readonly number[]; size: number; usage?: number }
}

/** The fields every XAPI-backed record ends with, in XO's order (`xapi-object-to-xo.mjs`). */
export interface XapiIdentity {
  id: string
  uuid: string
  $pool: string
  $poolId: string
  _xapiRef: string
}

export function xapiIdentity(random: Random, poolId: string, uuid = random.uuid()): XapiIdentity {
  return { id: uuid, uuid, $pool: poolId, $poolId: poolId, _xapiRef: random.opaqueRef() }
}

/** Two-digit (or wider) counter suffix: `web-prod-01`. */
export function counter(n: number): string {
  return String(n).padStart(2, '0')
}
