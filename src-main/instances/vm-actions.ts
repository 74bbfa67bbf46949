import type { AppError, TaskProgress, VmActionInput } from '@contract'
import { AppFailure } from '../app-failure'
import type { EventHub } from '../app-events/event-hub'
import type { Log } from '../log'
import { actionRequest, objectNameOf, runDeskTask } from '../objects/object-actions'
import type { DeskTasks } from '../tasks/desk-tasks'
import type { Instance, InstanceRegistry } from './instance-registry'

/** A VM's name as the inventory knows it, else its id. */
export function vmNameOf(instance: Instance, vmId: string): string {
  return objectNameOf(instance, 'vms', vmId)
}

/**
 * Starts a VM power action and follows its task in the background: the renderer gets the task id
 * at once, then `task.progress` events until it ends; the action is a DeskTask too, so the Tasks
 * panel lists it. The VM's new state reaches the renderer through the event stream, like any
 * other change (docs/xo-rest-api.md#actions-and-tasks and #events). An action XO refuses at once
 * is thrown, readable ("Could not start web-01: …").
 */
export async function startVmAction(
  registry: InstanceRegistry,
  hub: EventHub,
  log: Log,
  tasks: DeskTasks,
  input: VmActionInput,
  signal: AbortSignal,
  /** Told how the task ended (its error, if it failed), before `task.progress` says so. */
  onEnd?: (end: { taskId: string; error?: AppError }) => void,
): Promise<{ taskId: string }> {
  const instance = registry.get(input.instanceId)
  const request = actionRequest(instance, {
    instanceId: input.instanceId,
    collection: 'vms',
    id: input.vmId,
    action: input.action,
  })
  const publish = (update: Pick<TaskProgress, 'taskId' | 'status' | 'progress' | 'error'>): void =>
    hub.publish('task.progress', {
      instanceId: input.instanceId,
      objectId: input.vmId,
      action: input.action,
      ...update,
    })
  const task = await runDeskTask(tasks, log, request, signal, {
    onStarted: ({ taskId }) => publish({ taskId, status: 'pending' }),
    onChange: ({ taskId, status, progress }) => {
      if (taskId && status === 'pending' && progress !== undefined)
        publish({ taskId, status, progress })
    },
    onEnd: ({ taskId, error }) => {
      if (!taskId) return // refused at once: thrown below
      onEnd?.(error ? { taskId, error } : { taskId })
      publish(
        error ? { taskId, status: 'failure', error } : { taskId, status: 'success', progress: 100 },
      )
    },
  })
  if (task.status === 'failure' && !task.taskId) {
    const e = task.error as AppError
    throw new AppFailure(e.code, e.message, e.action, e.retryable)
  }
  return { taskId: task.taskId }
}
