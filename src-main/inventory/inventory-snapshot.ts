import { readFile, unlink } from 'node:fs/promises'
import { writeFileAtomic } from '../files/atomic-write'
import { join } from 'node:path'
import type { InventoryObject } from '@contract/inventory'
import type { InventoryCache } from './inventory-cache'

/**
 * The last known inventory of one saved instance, kept on disk so the app opens on it at once and
 * an unreachable XO stays browsable. Only what the cache keeps (the list fields of
 * `DEFAULT_INVENTORY_FIELDS`), never a token: the cache holds none.
 */
export interface InventorySnapshot {
  version: typeof SNAPSHOT_VERSION
  instanceId: string
  /** When the data was last known to match XO (ms since the epoch). */
  savedAt: number
  /** Collection → its objects, in XO's order. */
  collections: Record<string, InventoryObject[]>
}

export const SNAPSHOT_VERSION = 1

/** Saved instances have UUIDs; anything else could name a path outside the folder. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

/**
 * The snapshots of a config folder: `<configDir>/inventory/<instance-id>.json`, one JSON document
 * each (one `JSON.parse` is the fastest way back for 10,000 VMs, see docs/benchmarks.md). Writes
 * are atomic (temporary file, fsync, rename), so a crash leaves the old snapshot or the new one.
 * A snapshot that cannot be read is logged and ignored: the instance then starts as without one.
 */
export class InventorySnapshots {
  readonly dir: string
  readonly #log: (message: string) => void

  constructor(dir: string, log: (message: string) => void = () => {}) {
    this.dir = dir
    this.#log = log
  }

  pathOf(instanceId: string): string {
    if (!SAFE_ID.test(instanceId)) throw new Error(`not an instance id: ${instanceId}`)
    return join(this.dir, `${instanceId}.json`)
  }

  /** The instance's snapshot, or undefined when there is none or it cannot be read. */
  async read(instanceId: string): Promise<InventorySnapshot | undefined> {
    let text: string
    try {
      text = await readFile(this.pathOf(instanceId), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#log(`inventory snapshot of ${instanceId} ignored: ${describe(err)}`)
      return undefined
    }
    try {
      return parseSnapshot(JSON.parse(text), instanceId)
    } catch (err) {
      this.#log(`inventory snapshot of ${instanceId} ignored: ${describe(err)}`)
      return undefined
    }
  }

  async write(snapshot: InventorySnapshot): Promise<void> {
    // A snapshot is a cache: no folder fsync, a lost rename only means an older snapshot.
    await writeFileAtomic(this.pathOf(snapshot.instanceId), JSON.stringify(snapshot), {
      syncFolder: false,
    })
  }

  /** Forgets a removed instance's inventory. */
  async remove(instanceId: string): Promise<void> {
    await unlink(this.pathOf(instanceId)).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    })
  }
}

/** Checks the shape of what was read; throws saying what is wrong. */
export function parseSnapshot(value: unknown, instanceId: string): InventorySnapshot {
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object')
  const v = value as Record<string, unknown>
  if (v['version'] !== SNAPSHOT_VERSION) throw new Error(`unknown version ${String(v['version'])}`)
  if (v['instanceId'] !== instanceId) throw new Error('made for another instance')
  const savedAt = v['savedAt']
  if (typeof savedAt !== 'number' || !Number.isFinite(savedAt)) throw new Error('no savedAt')
  const raw = v['collections']
  if (typeof raw !== 'object' || raw === null) throw new Error('no collections')
  const collections: Record<string, InventoryObject[]> = {}
  for (const [name, items] of Object.entries(raw)) {
    if (!Array.isArray(items)) throw new Error(`${name} is not a list`)
    for (const item of items as unknown[]) {
      if (
        typeof item !== 'object' ||
        item === null ||
        typeof (item as InventoryObject).id !== 'string'
      )
        throw new Error(`a ${name} item has no id`)
    }
    collections[name] = items as InventoryObject[]
  }
  return { version: SNAPSHOT_VERSION, instanceId, savedAt, collections }
}

export interface SnapshotWriterOptions {
  snapshots: InventorySnapshots
  cache: InventoryCache
  /**
   * When the cache's data was last known to match XO: now while the stream is live, the time it
   * dropped otherwise. Undefined: nothing fresh to save (only the snapshot it started from).
   */
  freshAt: () => number | undefined
  /** Live changes are saved at most this often. Default 5 s. */
  intervalMs?: number
  log?: (message: string) => void
}

/**
 * Keeps an instance's snapshot current: soon after every full read, at most every `intervalMs`
 * for live changes, and once more on close. One write at a time; nothing is written before the
 * cache holds a fresh read, so the snapshot's time never claims data it does not have.
 */
export class SnapshotWriter {
  readonly #o: SnapshotWriterOptions
  readonly #intervalMs: number
  readonly #stop: () => void
  #timer: NodeJS.Timeout | undefined
  #dirty = false
  #lastWrite = 0
  #writing: Promise<void> = Promise.resolve()
  #closed = false

  constructor(options: SnapshotWriterOptions) {
    this.#o = options
    this.#intervalMs = options.intervalMs ?? 5_000
    this.#stop = options.cache.subscribe((diff) => {
      this.#dirty = true
      // A full read is worth saving at once (the next start opens on it); live changes wait.
      this.#schedule(diff.resynced ? 0 : this.#intervalMs)
    })
  }

  /** Waits for the writes under way (tests, the benchmark). */
  settled(): Promise<void> {
    return this.#writing
  }

  /** Writes what is pending and stops. */
  async close(): Promise<void> {
    if (this.#closed) return
    // Changes still within their frame count too (a quit right after the first read).
    this.#o.cache.flush()
    this.#closed = true
    this.#stop()
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#dirty) this.#write()
    await this.#writing
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return
    const wait = Math.max(delayMs, this.#lastWrite + this.#intervalMs - Date.now(), 0)
    if (this.#timer) {
      if (delayMs > 0) return // already due, as soon or sooner
      clearTimeout(this.#timer)
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#write()
    }, wait)
    this.#timer.unref()
  }

  #write(): void {
    const freshAt = this.#o.freshAt()
    if (!this.#o.cache.synced || freshAt === undefined) return
    this.#dirty = false
    this.#lastWrite = Date.now()
    const { cache, snapshots } = this.#o
    const collections: Record<string, InventoryObject[]> = {}
    for (const name of cache.collections) collections[name] = cache.all(name)
    const snapshot: InventorySnapshot = {
      version: SNAPSHOT_VERSION,
      instanceId: cache.instanceId,
      savedAt: freshAt,
      collections,
    }
    this.#writing = this.#writing
      .then(() => snapshots.write(snapshot))
      .catch((err: unknown) =>
        this.#o.log?.(`inventory snapshot of ${cache.instanceId} not saved: ${describe(err)}`),
      )
  }
}

function describe(err: unknown): string {
  if (err instanceof SyntaxError) return 'not valid JSON'
  return err instanceof Error ? err.message : String(err)
}
