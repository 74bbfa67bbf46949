import { MalformedResponseError, TaskFailedError, XoTimeoutError } from './failures'
import { ndjsonValues } from './ndjson'
import { discard, expectMediaType, readJson } from './response-body'
import { backoffMs, sleep } from './retry'
import { explainTimeout, type Transport, type XoResponse } from './transport'
import type { XoTask, XoTaskProgress } from './types'

export type ProgressListener = (task: XoTaskProgress) => void

/** The fields the watch (`GET /tasks?watch=true`) sends: enough to show progress and the outcome. */
const WATCH_FIELDS = 'status,properties,result,end'

/** Reopening a broken watch is best effort: the long-poll alone decides the outcome. */
const MAX_WATCH_FAILURES = 3
const REOPEN = { attempts: MAX_WATCH_FAILURES, baseMs: 500, maxMs: 5_000, maxRetryAfterMs: 0 }

function asTask(value: unknown): XoTask {
  const task = value as Partial<XoTask> | undefined
  if (typeof task?.id !== 'string' || typeof task.status !== 'string')
    throw new MalformedResponseError('json', 'not a task')
  return task as XoTask
}

/**
 * A complex-matcher term matching this id (quoted unless it is a plain word,
 * docs/xo-rest-api.md#filters).
 */
function idFilter(id: string): string {
  return /^[\w-]+$/.test(id) ? `id:${id}` : `id:${JSON.stringify(id)}`
}

/** The result of a finished task, or its failure as a `TaskFailedError`. */
function settle(task: XoTask): unknown {
  if (task.status === 'success') return task.result
  throw new TaskFailedError(task)
}

/**
 * Follows one XO task to its end: `GET /tasks/{id}?wait=true` decides the outcome, and, when
 * someone listens for progress, the tasks watch stream (`GET /tasks?ndjson=true&watch=true`)
 * reports changes meanwhile.
 */
export class TaskFollower {
  constructor(private readonly transport: Transport) {}

  async follow(taskId: string, onProgress: ProgressListener | undefined, signal: AbortSignal) {
    if (!onProgress) return settle(await this.#wait(taskId, signal))
    let last: string | undefined
    const report = (task: XoTaskProgress): void => {
      const key = `${task.status}/${String(task.properties?.progress)}`
      if (key === last) return
      last = key
      onProgress(task)
    }
    const stop = new AbortController()
    const watchSignal = AbortSignal.any([signal, stop.signal])
    try {
      // No initial state comes on the watch (docs/xo-rest-api.md#actions-and-tasks): open it first,
      // then read the task once.
      const watch = await this.#openWatch(taskId, watchSignal).catch((err: unknown) => {
        if (signal.aborted) throw err
        return undefined
      })
      const first = await this.#read(taskId, false, signal)
      report(first)
      if (first.status !== 'pending') {
        if (watch) discard(watch.body)
        return settle(first)
      }
      const pumping = this.#pump(taskId, watch, report, watchSignal)
      const final = await this.#wait(taskId, signal)
      stop.abort()
      await pumping
      report(final)
      return settle(final)
    } finally {
      stop.abort()
    }
  }

  async #read(taskId: string, wait: boolean, signal: AbortSignal): Promise<XoTask> {
    return this.transport.exchange(
      {
        method: 'GET',
        path: `/tasks/${encodeURIComponent(taskId)}`,
        query: wait ? { wait: 'true' } : undefined,
        kind: wait ? 'long-poll' : 'read',
        credentials: { kind: 'token' },
      },
      signal,
      async (res) => asTask(await readJson(res.headers, res.body)),
    )
  }

  /** Long-polls until the task is no longer pending; a silent poll is simply sent again. */
  async #wait(taskId: string, signal: AbortSignal): Promise<XoTask> {
    for (;;) {
      try {
        const task = await this.#read(taskId, true, signal)
        if (task.status !== 'pending') return task
      } catch (err) {
        if (!(err instanceof XoTimeoutError && err.phase === 'headers') || signal.aborted) throw err
      }
    }
  }

  #openWatch(taskId: string, signal: AbortSignal): Promise<XoResponse> {
    return this.transport.exchange(
      {
        method: 'GET',
        path: '/tasks',
        query: { ndjson: 'true', watch: 'true', filter: idFilter(taskId), fields: WATCH_FIELDS },
        kind: 'stream',
        credentials: { kind: 'token' },
        mediaType: 'application/x-ndjson',
      },
      signal,
      async (res) => {
        expectMediaType(res.headers, 'ndjson')
        return res
      },
    )
  }

  /**
   * Reports watch events until stopped. A watch that breaks or goes idle (a task may run for
   * minutes without a change) is reopened, then the task read once to catch up; errors never
   * escape, the long-poll is the authority.
   */
  async #pump(
    taskId: string,
    opened: XoResponse | undefined,
    report: ProgressListener,
    signal: AbortSignal,
  ): Promise<void> {
    const t = this.transport.timeouts
    let watch = opened
    let failures = 0
    while (!signal.aborted) {
      try {
        if (!watch) {
          watch = await this.#openWatch(taskId, signal)
          report(await this.#read(taskId, false, signal))
        }
        for await (const line of ndjsonValues(watch.body)) {
          failures = 0
          const [event, value] = Array.isArray(line) ? (line as unknown[]) : []
          const item = value as (Partial<XoTask> & { href?: string }) | undefined
          if (event !== 'update' || !item?.href?.endsWith(`/${encodeURIComponent(taskId)}`))
            continue
          if (signal.aborted) return // the outcome is known: no report after it
          const { href: _href, ...fields } = item
          report({ ...fields, id: taskId })
        }
        watch = undefined // the server ended the stream: reopen after a pause
      } catch (err) {
        if (watch) discard(watch.body)
        watch = undefined
        if (signal.aborted) return
        const idle = explainTimeout(err, t.stream, t.connectMs)
        if (idle instanceof XoTimeoutError && idle.phase === 'idle') continue
      }
      if (++failures > MAX_WATCH_FAILURES) return
      await sleep(backoffMs(REOPEN, failures), signal).catch(() => undefined)
    }
  }
}
