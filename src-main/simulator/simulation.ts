import { Authenticator } from './auth'
import { addBenchDisks, type BenchDisks } from './bench-disks'
import { DiskContents } from './disk-contents'
import { EventStreams } from './events'
import { Faults } from './faults'
import { generateLab } from './lab/generate'
import { startLife } from './life'
import type { LabData } from './lab/types'
import { Rbac } from './rbac'
import { LabStore } from './store'
import { TaskManager } from './tasks'

export interface SimulationOptions {
  /** Same seed, same lab. Default "xo-desk". */
  seed?: string
  /** Number of VMs in the lab. Default ~150. */
  vms?: number
  /** The admin's API token (a cookie value); generated when absent. */
  token?: string
  /** How long an action's task runs before its effect lands. Default 1500 ms; tests use less. */
  actionDelayMs?: number
  /** Bytes of data at the start of each lab disk (the rest reads as zeros). Default 16 MiB. */
  diskDataBytes?: number
  /** Background life (metrics drift, occasional power changes). Default on; tests turn it off. */
  life?: boolean
  /** The clock; tests may pin it. */
  now?: () => number
  /**
   * Bytes (a multiple of 512): adds `bench-disk` (all non-zero data) and `bench-sparse` (1/16 data)
   * of this virtual size on the first pool's default SR, for transfer benchmarks.
   */
  benchDisk?: number
}

/** One simulated XO: its objects, users, tasks, event streams and faults. No networking here. */
export class Simulation {
  readonly store: LabStore
  readonly auth: Authenticator
  readonly tasks: TaskManager
  readonly events: EventStreams
  readonly rbac: Rbac
  readonly faults = new Faults()
  readonly disks: DiskContents
  readonly lab: LabData
  readonly adminToken: string
  readonly adminUserId: string
  readonly actionDelayMs: number
  readonly now: () => number
  readonly startedAt: number
  /** The bench disks, when `benchDisk` was given. */
  readonly benchDisks: BenchDisks | undefined
  /** The last requests received (`GET /vms?fields=…`), so tests can see what a client asked. */
  readonly requests: string[] = []

  constructor(options: SimulationOptions = {}) {
    this.now = options.now ?? Date.now
    this.startedAt = this.now()
    this.actionDelayMs = options.actionDelayMs ?? 1500
    this.lab = generateLab({
      seed: options.seed ?? 'xo-desk',
      vms: options.vms,
      now: this.startedAt,
    })
    this.store = new LabStore(this.lab)
    this.disks = new DiskContents(this.lab.seed, options.diskDataBytes ?? 16 * 1024 * 1024)
    this.benchDisks =
      options.benchDisk === undefined ? undefined : addBenchDisks(this, options.benchDisk)
    this.auth = new Authenticator([...this.lab.accounts], this.now)
    this.tasks = new TaskManager(this.store, this.now)
    this.events = new EventStreams(this.store, this.now)
    this.rbac = new Rbac(this.store)
    const admin = this.lab.accounts.find((a) => a.permission === 'admin')
    if (!admin) throw new Error('the lab has no admin account')
    this.adminUserId = admin.userId
    const token = this.auth.issueToken(admin.userId, {
      description: 'xo-desk simulator',
      expiresIn: '0.5 year',
    })
    if (options.token !== undefined) {
      this.auth.tokens.delete(token.id)
      this.auth.tokens.set(options.token, { ...token, id: options.token })
    }
    this.adminToken = options.token ?? token.id
    this.#stopLife = options.life === false ? () => undefined : startLife(this)
  }

  readonly #stopLife: () => void

  /** Notes a request; only the latest 1,000 are kept. */
  noteRequest(method: string, pathAndQuery: string): void {
    this.requests.push(`${method} ${pathAndQuery}`)
    if (this.requests.length > 1000) this.requests.splice(0, this.requests.length - 1000)
  }

  /** Seconds since the epoch, for XAPI timestamps (docs/xo-rest-api.md#what-objects-look-like). */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000)
  }

  dispose(): void {
    this.#stopLife()
    this.disks.dispose()
    this.events.dispose()
  }
}
