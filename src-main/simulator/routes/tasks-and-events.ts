import { compileFilter, itemMapper } from '../http/collection-response'
import { targetRecord, type RequestContext } from '../http/context'
import { xoError } from '../http/xo-errors'
import type { XoRecord } from '../lab/types'
import { hrefOf, LISTENER_TYPES } from '../xo-types'
import { collectionReply } from './collections'
import type { HandlerTable } from './table'

/**
 * `GET /tasks?ndjson=true&watch=true`: changes from now on, as `["update"|"remove", item]` lines
 * (@xen-orchestra/rest-api 0.39.0, dist/tasks/task.controller.mjs).
 */
function watchTasks(ctx: RequestContext): { handled: true } {
  const predicate = compileFilter(ctx.query['filter'])
  const map = itemMapper(ctx.query['fields'], (r) => hrefOf('tasks', r.id))
  const visible = ctx.sim.rbac.readable(ctx.caller, 'task')
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
  ctx.res.flushHeaders()
  const stop = ctx.sim.store.subscribe((kind, collection, record) => {
    if (collection !== 'tasks' || !visible(record)) return
    if (predicate && !predicate(record)) return
    // A removed task is mapped from `{id}` alone: only listed keys that exist on it survive.
    const value = kind === 'remove' ? map({ id: record.id } as XoRecord) : map(record)
    ctx.res.write(`${JSON.stringify([kind === 'remove' ? 'remove' : 'update', value])}\n`)
  })
  ctx.res.on('close', stop)
  return { handled: true }
}

export function registerTasksAndEvents(table: HandlerTable): void {
  table.on('GET', '/tasks', (ctx) => {
    if (ctx.query['watch']?.toLowerCase() === 'true') {
      if (ctx.query['ndjson'] !== 'true') throw xoError.api(400, 'watch=true requires ndjson=true')
      return watchTasks(ctx)
    }
    return collectionReply(ctx, 'tasks', ctx.sim.store.list('tasks'))
  })

  // `?wait=true` answers once the task is no longer pending; closing the connection stops waiting.
  table.on('GET', '/tasks/{id}', async (ctx) => {
    const task = targetRecord(ctx)
    if (ctx.query['wait']?.toLowerCase() !== 'true') return { status: 200, json: task }
    const done = await ctx.sim.tasks.waitFor(task.id, ctx.signal)
    return { status: 200, json: done ?? ctx.sim.store.get('tasks', task.id) }
  })

  table.on('DELETE', '/tasks/{id}', (ctx) => {
    ctx.sim.store.remove('tasks', ctx.params['id'] ?? '')
    return { status: 204 }
  })

  table.on('DELETE', '/tasks', (ctx) => {
    for (const task of [...ctx.sim.store.list('tasks')]) {
      if (ctx.sim.rbac.can(ctx.caller, 'task', 'delete', task))
        ctx.sim.store.remove('tasks', task.id)
    }
    return { status: 204 }
  })

  // SSE (docs/xo-rest-api.md#events).
  table.on('GET', '/events', (ctx) => {
    ctx.sim.events.open(ctx.res)
    return { handled: true }
  })

  table.on('POST', '/events/{id}/subscriptions', (ctx) => {
    const id = ctx.params['id'] ?? ''
    if (!ctx.sim.events.has(id)) throw xoError.noSuchObject(id, 'event')
    const body = ctx.body as { collection: string; fields?: '*' | string[] }
    if (!(body.collection in LISTENER_TYPES)) {
      throw xoError.invalidFields({
        'body.collection': { message: 'invalid listener type', value: body.collection },
      })
    }
    ctx.sim.events.subscribe(id, body.collection, body.fields ?? '*')
    return { status: 201, json: { id: body.collection } }
  })

  table.on('DELETE', '/events/{id}/subscriptions/{subscriptionId}', (ctx) => {
    const id = ctx.params['id'] ?? ''
    if (!ctx.sim.events.has(id)) throw xoError.noSuchObject(id, 'event')
    ctx.sim.events.unsubscribe(id, ctx.params['subscriptionId'] ?? '')
    return { status: 204 }
  })
}
