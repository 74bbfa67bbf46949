import type { AppError, TaskProgress, VmActionInput, VmPowerAction } from '@contract'
import { AppFailure, toAppError } from '../app-failure'
import type { EventHub } from '../app-events/event-hub'
import type { Log } from '../log'
import type { Instance, InstanceRegistry } from './instance-registry'

/**
 * Starts a VM power action and follows its task in the background: the renderer gets the task id
 * at once, then `task.progress` events until it ends. The VM's new state reaches the renderer
 * through the event stream, like any other change (docs/xo-rest-api.md#actions-and-tasks and
 * #events).
 */
const VERBS: Record<VmPowerAction, string> = {
  start: 'start',
  clean_shutdown: 'shut down',
  hard_shutdown: 'force the shutdown of',
  clean_reboot: 'reboot',
  hard_reboot: 'force the reboot of',
  pause: 'pause',
  unpause: 'resume',
  suspend: 'suspend',
  resume: 'resume',
}

/** Says which VM and which action failed, before what XO said: "Could not start web-01: …". */
function aboutVm(error: AppError, action: VmPowerAction, vmName: string): AppError {
  return { ...error, message: `Could not ${VERBS[action]} ${vmName}: ${error.message}` }
}

/** A VM's name as the inventory knows it, else its id. */
export function vmNameOf(instance: Instance, vmId: string): string {
  return String(instance.live.cache.get('vms', vmId)?.['name_label'] ?? vmId)
}

export async function startVmAction(
  registry: InstanceRegistry,
  hub: EventHub,
  log: Log,
  input: VmActionInput,
  signal: AbortSignal,
  /** Told how the task ended (its error, if it failed), before `task.progress` says so. */
  onEnd?: (end: { taskId: string; error?: AppError }) => void,
): Promise<{ taskId: string }> {
  const instance = registry.get(input.instanceId)
  const vmName = vmNameOf(instance, input.vmId)
  let taskId: string
  try {
    ;({ taskId } = await instance.client.action('vms', input.vmId, input.action, {}, signal))
  } catch (err) {
    const e = aboutVm(toAppError(err), input.action, vmName)
    log(`${instance.label}: ${e.message}`)
    throw new AppFailure(e.code, e.message, e.action, e.retryable)
  }
  log(`${instance.label}: ${input.action} ${vmName} (${input.vmId}) → task ${taskId}`)
  const base = { instanceId: input.instanceId, taskId, objectId: input.vmId, action: input.action }
  const publish = (update: Partial<TaskProgress>): void =>
    hub.publish('task.progress', { ...base, status: 'pending', ...update })
  publish({})
  void instance.client
    .followTask(
      taskId,
      {
        target: { collection: 'vms', id: input.vmId },
        onProgress: (task) => {
          const progress = (task.properties as { progress?: unknown } | undefined)?.progress
          if (task.status === 'pending') publish(typeof progress === 'number' ? { progress } : {})
        },
      },
      AbortSignal.timeout(60 * 60_000), // the task outlives the IPC request that started it
    )
    .then(
      () => {
        onEnd?.({ taskId })
        publish({ status: 'success', progress: 100 })
      },
      (err: unknown) => {
        const error = aboutVm(toAppError(err), input.action, vmName)
        onEnd?.({ taskId, error })
        publish({ status: 'failure', error })
      },
    )
  return { taskId }
}
