import type { AppError } from './errors'
import type { InstanceId } from './instances'

/** The VM power actions XO Desk offers (XO's `POST /vms/{id}/actions/…`). */
export type VmPowerAction =
  | 'start'
  | 'clean_shutdown'
  | 'hard_shutdown'
  | 'clean_reboot'
  | 'hard_reboot'
  | 'pause'
  | 'unpause'
  | 'suspend'
  | 'resume'

/** Input of `vms.action`. */
export interface VmActionInput {
  instanceId: InstanceId
  vmId: string
  action: VmPowerAction
  /**
   * The VM's name as the admin typed it: required by main for a forced shutdown or reboot on an
   * instance whose environment is `production`.
   */
  confirmName?: string
}

/** An action's task as it runs on XO: pushed as it progresses, until it succeeds or fails. */
export interface TaskProgress {
  instanceId: InstanceId
  taskId: string
  /** The object the action acts on (a VM id). */
  objectId: string
  action: VmPowerAction
  status: 'pending' | 'success' | 'failure'
  /** 0–100 when XO reports it. */
  progress?: number
  /** Why it failed, readable, when `status` is `failure`. */
  error?: AppError
}
