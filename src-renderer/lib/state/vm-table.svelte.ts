import { SvelteMap } from 'svelte/reactivity'
import { ObjectTable } from './object-table.svelte'
import type { TaskProgress, VmPowerAction, XoBridge } from '@contract'

/**
 * The VM table of one instance: the object table of `vms`, plus the power actions running on its
 * VMs (their `task.progress` events).
 */
export class VmTable extends ObjectTable<'vms'> {
  /** The latest task of each VM that has one running or just ended. */
  readonly tasks = new SvelteMap<string, TaskProgress>()

  constructor(xo: XoBridge) {
    super(xo, 'vms')
    xo.on('task.progress', (task) => {
      if (task.instanceId === this.instanceId) this.tasks.set(task.objectId, task)
    })
  }

  /** Shows the VMs of an instance, from the first row. */
  open(instanceId: string): Promise<void> {
    return this.show(instanceId, 'vms')
  }

  protected override opened(): void {
    this.tasks.clear()
  }

  /** Runs an action on a VM; `confirmName` is the name typed in the confirmation, when asked. */
  async act(vmId: string, action: VmPowerAction, confirmName?: string): Promise<void> {
    const instanceId = this.instanceId
    if (!instanceId) return
    this.tasks.set(vmId, { instanceId, taskId: '', objectId: vmId, action, status: 'pending' })
    const res = await this.xo.invoke('vms.action', {
      instanceId,
      vmId,
      action,
      ...(confirmName !== undefined ? { confirmName } : {}),
    })
    if (!res.ok)
      this.tasks.set(vmId, {
        instanceId,
        taskId: '',
        objectId: vmId,
        action,
        status: 'failure',
        error: res.error,
      })
  }
}
