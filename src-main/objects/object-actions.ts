import { randomUUID } from 'node:crypto'
import type {
  AppError,
  DeletableCollection,
  DeskTask,
  InventoryCollection,
  ObjectActionInput,
  RenamableCollection,
  TaggableCollection,
} from '@contract'
import { toAppError } from '../app-failure'
import type { Instance } from '../instances/instance-registry'
import type { Log } from '../log'
import type { DeskTasks } from '../tasks/desk-tasks'
import { privilegeFor } from '../xo/account'

/**
 * Every request of the inventory browser (an action, a delete, a rename, a tag) as one DeskTask:
 * pending from the click, then success or failure, published on every change so the Tasks panel
 * follows (docs/xo-rest-api.md#actions-and-tasks).
 */

export type DeskAction = DeskTask['action']

/** A privilege XO checks before running a request, as `resource:action`. */
export interface Privilege {
  resource: string
  action: string
}

/** How a request reaches XO. */
export type XoSend =
  /** An action XO runs as a task (202): followed to its end. */
  | { kind: 'task'; start: (signal: AbortSignal) => Promise<{ taskId: string }> }
  /** A request XO answers once done (DELETE, PATCH, tags: 204). */
  | { kind: 'sync'; run: (signal: AbortSignal) => Promise<void> }

/** One request on one object, as main checks and runs it. */
export interface DeskRequest {
  instance: Instance
  object: DeskTask['object']
  action: DeskAction
  /** What could not be done, before the object's name: "migrate", `add the tag "db" to`. */
  verb: string
  /** What XO will check; main refuses first for a non-admin account lacking one. */
  privileges: Privilege[]
  /** Needs the object's name typed on a production instance. */
  destructive: boolean
  send: XoSend
}

/** What the caller learns as the task moves (the audit log, `task.progress` of `vms.action`). */
export interface RunHooks {
  /** XO accepted the action and gave its task id. */
  onStarted?(task: DeskTask): void
  /** The task ended, either way. */
  onEnd?(task: DeskTask): void
  /** Every change after the first `pending`. */
  onChange?(task: DeskTask): void
}

/** The phrases of the failure messages: "Could not <verb> web-01: …". */
const VERBS: Record<Exclude<DeskAction, 'tag' | 'untag'>, string> = {
  start: 'start',
  clean_shutdown: 'shut down',
  hard_shutdown: 'force the shutdown of',
  clean_reboot: 'reboot',
  hard_reboot: 'force the reboot of',
  pause: 'pause',
  unpause: 'resume',
  suspend: 'suspend',
  resume: 'resume',
  snapshot: 'snapshot',
  clone: 'clone',
  migrate: 'migrate',
  revert_snapshot: 'revert',
  enable: 'enable',
  disable: 'disable',
  smart_reboot: 'reboot',
  restart_toolstack: 'restart the toolstack of',
  rolling_reboot: 'reboot the hosts of',
  rolling_update: 'update the hosts of',
  create_vm: 'create a VM in',
  scan: 'scan',
  reclaim_space: 'reclaim the free space of',
  run: 'run',
  abort: 'abort',
  delete: 'delete',
  rename: 'rename',
}

/** The XO type of each collection, as its privileges name it (`vm`, `vm-snapshot`, `host`…). */
const FALLBACK_RESOURCE = (collection: string): string => collection.replace(/s$/, '')

/** An object's name as the inventory knows it, else its id. */
export function objectNameOf(instance: Instance, collection: string, id: string): string {
  const row = instance.live.cache.get(collection, id)
  const name = row?.['name_label'] ?? row?.['name']
  return typeof name === 'string' && name !== '' ? name : id
}

function onObject(
  instance: Instance,
  collection: InventoryCollection,
  id: string,
): DeskTask['object'] {
  return { collection, id, name: objectNameOf(instance, collection, id) }
}

function privilege(method: string, path: string, collection: string, action: string): Privilege {
  return privilegeFor(method, path) ?? { resource: FALLBACK_RESOURCE(collection), action }
}

/** Whether an action cuts something off or cannot be undone: confirmed by name on production. */
function isDestructive(input: ObjectActionInput): boolean {
  switch (input.collection) {
    case 'vms':
      return ['hard_shutdown', 'hard_reboot', 'revert_snapshot'].includes(input.action)
    case 'hosts':
      return (
        input.action === 'smart_reboot' ||
        input.action === 'clean_reboot' ||
        (input.action === 'disable' && input.params?.evacuate === true)
      )
    case 'pools':
      return input.action === 'rolling_reboot' || input.action === 'rolling_update'
    default:
      return false
  }
}

/** `POST /<collection>/{id}/actions/<action>` with its body, as XO's spec names the fields. */
export function actionRequest(instance: Instance, input: ObjectActionInput): DeskRequest {
  const { collection, id, action } = input
  const body = 'params' in input ? input.params : undefined
  const privileges = [
    privilege('POST', `/${collection}/{id}/actions/${action}`, collection, action),
  ]
  // XO checks `host:evacuate` too when the VMs are moved away (dist/hosts/host.controller.mjs).
  if (input.collection === 'hosts' && input.action === 'disable' && input.params?.evacuate)
    privileges.push({ resource: 'host', action: 'evacuate' })
  return {
    instance,
    object: onObject(instance, collection, id),
    action,
    verb: VERBS[action],
    privileges,
    destructive: isDestructive(input),
    send: {
      kind: 'task',
      start: (signal) =>
        instance.client.action(collection, id, action, body ? { body } : {}, signal),
    },
  }
}

/** `DELETE /<collection>/{id}`: answered once the object is gone. */
export function deleteRequest(
  instance: Instance,
  collection: DeletableCollection,
  id: string,
): DeskRequest {
  return {
    instance,
    object: onObject(instance, collection, id),
    action: 'delete',
    verb: VERBS.delete,
    privileges: [privilege('DELETE', `/${collection}/{id}`, collection, 'delete')],
    destructive: true,
    send: { kind: 'sync', run: (signal) => instance.client.delete(collection, id, signal) },
  }
}

/**
 * `PATCH /<collection>/{id}`: VMs take camelCase keys (`nameLabel`), VDIs XO's field names; XO
 * checks `update:<key>` of each key sent (dist/middlewares/acl.middleware.mjs).
 */
export function renameRequest(
  instance: Instance,
  collection: RenamableCollection,
  id: string,
  name: string,
): DeskRequest {
  const key = collection === 'vms' ? 'nameLabel' : 'name_label'
  return {
    instance,
    object: onObject(instance, collection, id),
    action: 'rename',
    verb: VERBS.rename,
    privileges: [{ resource: FALLBACK_RESOURCE(collection), action: `update:${key}` }],
    destructive: false,
    send: {
      kind: 'sync',
      run: (signal) => instance.client.patch(collection, id, { [key]: name }, signal),
    },
  }
}

/** `PUT` (add) or `DELETE` (remove) `/<collection>/{id}/tags/{tag}`. */
export function tagRequest(
  instance: Instance,
  collection: TaggableCollection,
  id: string,
  tag: string,
  present: boolean,
): DeskRequest {
  const method = present ? 'PUT' : 'DELETE'
  return {
    instance,
    object: onObject(instance, collection, id),
    action: present ? 'tag' : 'untag',
    verb: present ? `add the tag "${tag}" to` : `remove the tag "${tag}" from`,
    privileges: [privilege(method, `/${collection}/{id}/tags/{tag}`, collection, 'update:tags')],
    destructive: false,
    send: {
      kind: 'sync',
      run: (signal) =>
        present
          ? instance.client.addTag(collection, id, tag, signal)
          : instance.client.removeTag(collection, id, tag, signal),
    },
  }
}

/** Says which object and which action failed, before what XO said; keeps XO's next step. */
function about(error: AppError, request: DeskRequest): AppError {
  return { ...error, message: `Could not ${request.verb} ${request.object.name}: ${error.message}` }
}

/** A task outlives the IPC request that started it: followed this long at most. */
const FOLLOW_MS = 60 * 60_000

/**
 * Sends the request and records it as a DeskTask. Resolves with the task once XO answered: still
 * pending while XO's task runs (it is followed in the background), else ended. A failure is the
 * task's `error`, never a throw.
 */
export async function runDeskTask(
  tasks: DeskTasks,
  log: Log,
  request: DeskRequest,
  signal: AbortSignal,
  hooks: RunHooks = {},
): Promise<DeskTask> {
  const { instance, object } = request
  let task = tasks.put({
    instanceId: instance.id,
    taskId: '',
    id: randomUUID(),
    object,
    action: request.action,
    status: 'pending',
    startedAt: Date.now(),
  })
  const change = (changes: Partial<DeskTask>): DeskTask => {
    task = tasks.put({ ...task, ...changes })
    hooks.onChange?.(task)
    return task
  }
  const end = (err?: unknown): DeskTask => {
    const ended =
      err === undefined
        ? change({ status: 'success', endedAt: Date.now() })
        : change({ status: 'failure', endedAt: Date.now(), error: about(toAppError(err), request) })
    if (ended.error) log(`${instance.label}: ${ended.error.message}`)
    hooks.onEnd?.(ended)
    return ended
  }

  const { send } = request
  if (send.kind === 'sync') {
    try {
      await send.run(signal)
    } catch (err) {
      return end(err)
    }
    log(`${instance.label}: ${request.action} ${object.name} (${object.id})`)
    return end()
  }

  let taskId: string
  try {
    ;({ taskId } = await send.start(signal))
  } catch (err) {
    return end(err)
  }
  log(`${instance.label}: ${request.action} ${object.name} (${object.id}) → task ${taskId}`)
  const started = change({ taskId })
  hooks.onStarted?.(started)
  void instance.client
    .followTask(
      taskId,
      {
        target: { collection: object.collection, id: object.id },
        onProgress: (xoTask) => {
          const progress = xoTask.properties?.progress
          if (xoTask.status === 'pending' && typeof progress === 'number') change({ progress })
        },
      },
      AbortSignal.timeout(FOLLOW_MS),
    )
    .then(
      () => {
        if (task.progress !== undefined) change({ progress: 100 })
        end()
      },
      (err: unknown) => end(err),
    )
  return started
}
