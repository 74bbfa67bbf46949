import { SvelteMap } from 'svelte/reactivity'
import { ListTable } from './list-table.svelte'
import type { ListPage, PageQuery } from './windowed-list.svelte'
import type {
  Result,
  CrossInstanceObject,
  InventoryDiff,
  TaskProgress,
  UnavailableInstance,
  VmPowerAction,
  XoBridge,
} from '@contract'

/** A VM's key across instances: ids are only unique within one XO. */
export function vmKey(instanceId: string, id: string): string {
  return `${instanceId}\u0000${id}`
}

/**
 * The VMs of every connected instance in one table: a window of the merged list read from main
 * (`inventory.pageAll`), kept current by the diffs of any instance; actions go to each VM's own
 * instance. The same patterns as `VmTable`.
 */
export class AllVms extends ListTable<CrossInstanceObject> {
  /** Instances left out of the list, and why. */
  unavailable = $state<UnavailableInstance[]>([])
  /** Pool and host names, by {@link vmKey} of their instance and id. */
  readonly names = new SvelteMap<string, string>()
  /** The latest task of each VM that has one running or just ended, by {@link vmKey}. */
  readonly tasks = new SvelteMap<string, TaskProgress>()

  readonly #xo: XoBridge
  #open = false
  readonly #stop: (() => void)[] = []

  constructor(xo: XoBridge) {
    super()
    this.#xo = xo
    this.#stop.push(
      xo.on('inventory.diff', (diff) => this.#apply(diff)),
      xo.on('task.progress', (task) => {
        if (this.#open) this.tasks.set(vmKey(task.instanceId, task.objectId), task)
      }),
    )
  }

  /** Shows the list from the first row (instances may have come or gone since last time). */
  async open(): Promise<void> {
    this.#open = true
    this.names.clear()
    await Promise.all([this.list.reset(), this.#loadNames('pools'), this.#loadNames('hosts')])
  }

  /** Stops following diffs while another view is shown. */
  close(): void {
    this.#open = false
  }

  protected keyOf(row: CrossInstanceObject): string {
    return vmKey(row.$instance.id, row.id)
  }

  protected async pageOf(query: PageQuery): Promise<Result<ListPage<CrossInstanceObject>>> {
    const res = await this.#xo.invoke('inventory.pageAll', { ...query, collection: 'vms' })
    if (res.ok) this.unavailable = res.value.unavailable
    return res
  }

  async #loadNames(collection: 'pools' | 'hosts'): Promise<void> {
    const res = await this.#xo.invoke('inventory.pageAll', {
      collection,
      offset: 0,
      limit: 5_000,
    })
    if (res.ok)
      for (const item of res.value.items)
        this.names.set(vmKey(item.$instance.id, item.id), String(item['name_label'] ?? item.id))
  }

  /** Starts a power action on the VM's own instance; progress arrives as `task.progress`. */
  async act(vm: CrossInstanceObject, action: VmPowerAction): Promise<void> {
    const instanceId = vm.$instance.id
    const key = vmKey(instanceId, vm.id)
    const pending = { instanceId, taskId: '', objectId: vm.id, action }
    this.tasks.set(key, { ...pending, status: 'pending' })
    const res = await this.#xo.invoke('vms.action', { instanceId, vmId: vm.id, action })
    if (!res.ok) this.tasks.set(key, { ...pending, status: 'failure', error: res.error })
  }

  #apply(diff: InventoryDiff): void {
    if (!this.#open) return
    if (diff.collection === 'pools' || diff.collection === 'hosts') {
      // A resync carries no objects (see InventoryDiff): read the names again.
      if (diff.resynced) void this.#loadNames(diff.collection)
      for (const item of diff.upserts)
        this.names.set(vmKey(diff.instanceId, item.id), String(item['name_label'] ?? item.id))
      if (this.sort.field === '$pool' || this.sort.field === '$container')
        this.list.changed({ upserts: [], removals: 0, resynced: true })
      return
    }
    if (diff.collection !== 'vms') return
    // A diff is one instance's: its rows keep the instance they are shown with. An instance that
    // came back (a resync) re-reads the window.
    const instance = this.rows.find((r) => r.$instance.id === diff.instanceId)?.$instance ?? {
      id: diff.instanceId,
      label: '',
    }
    this.list.changed({
      upserts: diff.upserts.map((o) => ({ ...o, $instance: instance })),
      removals: diff.removals.length,
      ...(diff.resynced ? { resynced: true } : {}),
    })
  }

  dispose(): void {
    for (const stop of this.#stop) stop()
  }
}
