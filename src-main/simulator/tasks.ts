import type { XoRecord } from './lab/types'
import { serializeTaskError } from './http/xo-errors'
import type { LabStore } from './store'

/** What an action's work reports while it runs. */
export interface TaskHandle {
  id: string
  /** Sets `properties.progress` (0–100), as long XO tasks do (docs/xo-rest-api.md#actions-and-tasks). */
  progress(percent: number): void
  /** Set when someone asked to abort the task. */
  readonly abortRequested: boolean
}

/**
 * XO's task log (docs/xo-rest-api.md#actions-and-tasks): tasks live in the `tasks` collection, so
 * `/tasks`, `?watch=true` and SSE `task` subscriptions all see them change.
 */
export class TaskManager {
  #counter = 0
  readonly #waiters = new Map<string, ((task: XoRecord) => void)[]>()

  constructor(
    private readonly store: LabStore,
    private readonly now: () => number,
  ) {}

  /** Short, time-ordered base-36 ids like XO's (`0m3x7k2qa`). */
  #newId(): string {
    const id = `${this.now().toString(36)}${(this.#counter++ % 1296).toString(36).padStart(2, '0')}`
    return this.store.get('tasks', id) ? this.#newId() : id
  }

  /** Runs `work` as a task; the returned promise settles with the task's outcome. */
  run<T>(
    properties: Record<string, unknown>,
    work: (task: TaskHandle) => Promise<T>,
  ): { task: XoRecord; outcome: Promise<T> } {
    const start = this.now()
    const task = this.store.insert('tasks', {
      id: this.#newId(),
      properties,
      start,
      status: 'pending',
      updatedAt: start,
    })
    const id = task.id
    let abortRequested = false
    const handle: TaskHandle = {
      id,
      progress: (percent) => {
        const current = this.store.get('tasks', id)
        if (current?.['status'] !== 'pending') return
        this.store.update('tasks', id, {
          properties: { ...(current['properties'] as object), progress: Math.round(percent) },
          updatedAt: this.now(),
        })
      },
      get abortRequested() {
        return abortRequested
      },
    }
    this.#abort.set(id, () => (abortRequested = true))
    const outcome = work(handle).then(
      (result) => {
        this.#end(id, 'success', result)
        return result
      },
      (err: unknown) => {
        this.#end(id, 'failure', serializeTaskError(err))
        throw err
      },
    )
    return { task, outcome }
  }

  readonly #abort = new Map<string, () => void>()

  /** Marks an abort request (`POST /tasks/{id}/actions/abort` only asks; most actions ignore it). */
  requestAbort(id: string): boolean {
    const task = this.store.get('tasks', id)
    if (task?.['status'] !== 'pending') return false
    this.#abort.get(id)?.()
    this.store.update('tasks', id, { abortionRequestedAt: this.now(), updatedAt: this.now() })
    return true
  }

  #end(id: string, status: 'success' | 'failure', result: unknown): void {
    this.#abort.delete(id)
    if (!this.store.get('tasks', id)) return // deleted while running
    const end = this.now()
    const changes: Record<string, unknown> = { status, end, updatedAt: end }
    if (result !== undefined) changes['result'] = result
    const task = this.store.update('tasks', id, changes)
    for (const resolve of this.#waiters.get(id) ?? []) resolve(task)
    this.#waiters.delete(id)
  }

  /** Resolves when the task is no longer pending (`GET /tasks/{id}?wait=true`). */
  waitFor(id: string, signal?: AbortSignal): Promise<XoRecord> {
    const task = this.store.get('tasks', id)
    if (!task || task['status'] !== 'pending') return Promise.resolve(task as XoRecord)
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(id) ?? []
      list.push(resolve)
      this.#waiters.set(id, list)
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
  }
}
