// How an action runs (`createAction` of @xen-orchestra/rest-api 0.39.0,
// dist/abstract-classes/base-controller.mjs): checks before any task, a task, 202 or the sync
// answer.
import { setTimeout as sleep } from 'node:timers/promises'
import { targetRecord as target, type Handler, type RequestContext } from '../http/context'
import type { CollectionName } from '../lab/types'
import type { Simulation } from '../simulation'
import type { TaskHandle } from '../tasks'
import { TYPE_OF_COLLECTION } from '../xo-types'

export type Body = Record<string, unknown>

/**
 * One action: its task name, its status with `?sync=true`, and its work
 * (docs/xo-rest-api.md#actions-and-tasks).
 */
export interface ActionSpec {
  /** Task name after "REST API: ". */
  name: string
  syncStatus: 200 | 201 | 204
  /** Checks XO makes before any task exists: a failure is the HTTP answer itself. */
  precheck?(ctx: RequestContext, body: Body): void
  /**
   * Runs inside the task: checks state at once (a failure fails the task), then returns the
   * commit that lands when the simulated work is over.
   */
  run(ctx: RequestContext, body: Body, task: TaskHandle): () => unknown
  /** `Location` of a created object, for sync 201 answers. */
  location?(result: { id: string }): string
  /**
   * The task starts at `properties.progress: 0` and advances. Only the rolling pool reboot and
   * update set it (@xen-orchestra/rest-api 0.39.0, dist/pools/pool.controller.mjs); every other
   * action's task has no progress at all.
   */
  progress?: true
}

/** Lets the simulated work take its time, advancing `properties.progress` when the task has it. */
async function simulateWork(
  sim: Simulation,
  task: TaskHandle,
  factor: number,
  progress: boolean,
): Promise<void> {
  const steps = 4
  const total = sim.actionDelayMs * factor
  for (let i = 1; i <= steps; i++) {
    await sleep(total / steps)
    if (progress && i < steps) task.progress((i / steps) * 100)
  }
}

export function actionHandler(spec: ActionSpec, factor = 1): Handler {
  return async (ctx) => {
    const body = (ctx.body ?? {}) as Body
    spec.precheck?.(ctx, body)
    const record = target(ctx)
    const collection = ctx.target?.collection as CollectionName
    const properties: Record<string, unknown> = {
      name: `REST API: ${spec.name}`,
      type: 'xo:rest-api:action',
      objectType: TYPE_OF_COLLECTION[collection],
      objectId: record.id,
      userId: ctx.caller.userId,
      ...(ctx.body === undefined ? {} : { args: ctx.body }),
      ...(spec.progress ? { progress: 0 } : {}),
    }
    const { task, outcome } = ctx.sim.tasks.run(properties, async (handle) => {
      const commit = spec.run(ctx, body, handle)
      await simulateWork(ctx.sim, handle, factor, spec.progress === true)
      return commit()
    })
    // tsoa parsed `sync` as a boolean: any case of "true"
    // (docs/xo-rest-api.md#collections-and-fields).
    if (ctx.query['sync']?.toLowerCase() === 'true') {
      const result = (await outcome) as { id: string } | undefined
      const headers = result && spec.location ? { Location: spec.location(result) } : undefined
      return { status: spec.syncStatus, json: result, ...(headers ? { headers } : {}) }
    }
    outcome.catch(() => undefined) // the failure is on the task, in its `result`
    return {
      status: 202,
      json: { taskId: task.id },
      headers: { Location: `/rest/v0/tasks/${task.id}`, 'Content-Type': 'application/json' },
    }
  }
}

/** The `Location` of what a synchronous action created (`/rest/v0/<collection>/<id>`). */
export const created = (collection: string) => (result: { id: string }) =>
  `/rest/v0/${collection}/${result.id}`
