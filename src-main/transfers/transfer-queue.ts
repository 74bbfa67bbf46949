import type {
  AppError,
  TransferSettings,
  TransferState,
  TransferTotals,
  TransferView,
} from '@contract'
import { randomUUID } from 'node:crypto'
import { toAppError } from '../app-failure'
import type { Log } from '../log'
import { Bandwidth } from './bandwidth'

/** What a job reports while it runs (the engine's progress, already throttled to a few a second). */
export interface JobProgress {
  bytes: number
  total?: number
  rate: number
  secondsLeft?: number
  attempt: number
}

/** What a running job may use: its cancel signal, the shared bandwidth, and ways to report. */
export interface JobContext {
  signal: AbortSignal
  bandwidth: Bandwidth
  progress(p: JobProgress): void
  /** `verifying` while the finished file or the copy is checked. */
  verifying(): void
  /** Facts learnt on the way: the file chosen, the object's name, the total. */
  update(patch: Partial<Pick<TransferView, 'file' | 'object' | 'total'>>): void
}

/** One transfer to run: what the view shows before it starts, and the work itself. */
export interface TransferJob {
  describe: Pick<TransferView, 'direction' | 'instance' | 'object' | 'format'> &
    Partial<Pick<TransferView, 'to' | 'file' | 'compression' | 'total'>>
  run(ctx: JobContext): Promise<Partial<Pick<TransferView, 'sha256' | 'created' | 'file'>>>
}

interface Entry {
  view: TransferView
  job: TransferJob
  controller: AbortController
  ended: Promise<void>
  end: () => void
}

const ENDED: ReadonlySet<TransferState> = new Set(['done', 'failed', 'cancelled'])
export const isEnded = (state: TransferState): boolean => ENDED.has(state)

const DEFAULT_SETTINGS: TransferSettings = { parallel: 2 }

/**
 * The app's transfers, in main: queued in order, a few running at once (`parallel`), all under one
 * optional bandwidth limit. They live here, not in a view, so switching instances or closing the
 * Transfers view changes nothing. Every change is published as a whole `TransferView`.
 */
export class TransferQueue {
  readonly #entries = new Map<string, Entry>()
  readonly #publish: (view: TransferView) => void
  readonly #log: Log
  readonly bandwidth: Bandwidth
  #settings: TransferSettings

  constructor(options: {
    publish: (view: TransferView) => void
    log: Log
    settings?: TransferSettings
  }) {
    this.#publish = options.publish
    this.#log = options.log
    this.#settings = options.settings ?? DEFAULT_SETTINGS
    this.bandwidth = new Bandwidth(this.#settings.bandwidthLimit)
  }

  get settings(): TransferSettings {
    return { ...this.#settings }
  }

  /** New settings apply at once: more slots start queued transfers, the limit applies to running ones. */
  configure(settings: TransferSettings): TransferSettings {
    this.#settings = { ...settings }
    this.bandwidth.setLimit(settings.bandwidthLimit)
    this.#pump()
    return this.settings
  }

  list(): TransferView[] {
    return [...this.#entries.values()].map((e) => ({ ...e.view }))
  }

  get(id: string): TransferView | undefined {
    const entry = this.#entries.get(id)
    return entry ? { ...entry.view } : undefined
  }

  /** Queues a job; it starts as soon as a slot is free. */
  add(job: TransferJob): TransferView {
    const id = randomUUID()
    this.#enqueue(job, id)
    return this.get(id) as TransferView
  }

  #enqueue(job: TransferJob, id: string): void {
    let end = (): void => undefined
    const ended = new Promise<void>((resolve) => (end = resolve))
    const view: TransferView = {
      ...job.describe,
      id,
      state: 'queued',
      bytes: 0,
      rate: 0,
      attempt: 0,
      queuedAt: Date.now(),
    }
    this.#entries.set(id, { view, job, controller: new AbortController(), ended, end })
    this.#emit(id)
    this.#pump()
  }

  /** Cancels a queued or running transfer: its request is aborted, its part file removed. */
  cancel(id: string): TransferView | undefined {
    const entry = this.#entries.get(id)
    if (!entry || isEnded(entry.view.state)) return this.get(id)
    entry.controller.abort()
    if (entry.view.state === 'queued') this.#finish(entry, 'cancelled', cancelledError())
    return this.get(id)
  }

  /** Cancels every transfer of an instance (it is being removed). */
  cancelInstance(instanceId: string): void {
    for (const e of this.#entries.values())
      if (e.view.instance.id === instanceId || e.view.to?.id === instanceId) this.cancel(e.view.id)
  }

  /** Queues a failed or cancelled job again, under the same id (XO cannot resume: it starts over). */
  retry(id: string): TransferView | undefined {
    const old = this.#entries.get(id)
    if (!old || !isEnded(old.view.state) || old.view.state === 'done') return undefined
    this.#entries.delete(id)
    this.#enqueue(old.job, id)
    return this.get(id)
  }

  /** Forgets the transfers that ended; returns what is left. */
  clearEnded(): TransferView[] {
    for (const [id, e] of this.#entries) if (isEnded(e.view.state)) this.#entries.delete(id)
    return this.list()
  }

  totals(): TransferTotals {
    let running = 0
    let queued = 0
    let bytes = 0
    let total = 0
    let known = true
    for (const { view } of this.#entries.values()) {
      if (view.state === 'queued') queued++
      if (view.state !== 'running' && view.state !== 'verifying') continue
      running++
      if (view.total === undefined) known = false
      else {
        bytes += Math.min(view.bytes, view.total)
        total += view.total
      }
    }
    return known && total > 0 ? { running, queued, fraction: bytes / total } : { running, queued }
  }

  /** Waits until the transfer ends (tests, the CLI). */
  async settled(id: string): Promise<TransferView | undefined> {
    await this.#entries.get(id)?.ended
    return this.get(id)
  }

  /** Cancels everything and waits for the part files to be removed (the app quits). */
  async dispose(): Promise<void> {
    const entries = [...this.#entries.values()]
    for (const e of entries) this.cancel(e.view.id)
    await Promise.all(entries.map((e) => e.ended))
  }

  #pump(): void {
    let running = [...this.#entries.values()].filter(
      (e) => e.view.state === 'running' || e.view.state === 'verifying',
    ).length
    for (const entry of this.#entries.values()) {
      if (running >= Math.max(1, this.#settings.parallel)) return
      if (entry.view.state !== 'queued') continue
      running++
      void this.#run(entry)
    }
  }

  async #run(entry: Entry): Promise<void> {
    const { view, controller } = entry
    view.state = 'running'
    view.startedAt = Date.now()
    this.#emit(view.id)
    try {
      const result = await entry.job.run({
        signal: controller.signal,
        bandwidth: this.bandwidth,
        progress: (p) => {
          if (isEnded(view.state)) return
          // A new attempt starts over from zero: the bar goes back rather than lying.
          // The final count of an attempt may arrive while its file is checked: still verifying.
          const checking = view.state === 'verifying' && p.attempt === view.attempt
          Object.assign(view, { state: checking ? 'verifying' : 'running', ...p })
          if (p.total === undefined) delete view.total
          if (p.secondsLeft === undefined) delete view.secondsLeft
          this.#emit(view.id)
        },
        verifying: () => {
          view.state = 'verifying'
          this.#emit(view.id)
        },
        update: (patch) => {
          Object.assign(view, patch)
          this.#emit(view.id)
        },
      })
      Object.assign(view, result)
      this.#finish(entry, 'done')
    } catch (err) {
      const error = controller.signal.aborted ? cancelledError() : toAppError(err, this.#log)
      this.#finish(entry, error.code === 'cancelled' ? 'cancelled' : 'failed', error)
    }
  }

  #finish(entry: Entry, state: TransferState, error?: AppError): void {
    const { view } = entry
    if (isEnded(view.state)) return
    view.state = state
    view.endedAt = Date.now()
    view.rate = 0
    delete view.secondsLeft
    if (error) view.error = error
    this.#emit(view.id)
    entry.end()
    this.#pump()
  }

  #emit(id: string): void {
    const view = this.get(id)
    if (view) this.#publish(view)
  }
}

function cancelledError(): AppError {
  return {
    code: 'cancelled',
    message: 'The transfer was cancelled.',
    action: 'Start it again when ready.',
    retryable: true,
  }
}
