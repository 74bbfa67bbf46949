import { SvelteMap } from 'svelte/reactivity'
import { ListTable } from './list-table.svelte'
import type { ListPage, PageQuery } from './windowed-list.svelte'
import type {
  Result,
  InventoryDiff,
  InventoryObject,
  InventorySort,
  TaskProgress,
  VmPowerAction,
  XoBridge,
} from '@contract'

/**
 * The VM table of one instance: a window of rows read from main's inventory cache (a
 * `WindowedList`), kept current by the pushed diffs (main follows XO's event stream; nothing here
 * polls XO), plus running actions.
 */
export class VmTable extends ListTable<InventoryObject> {
  /** Pool and host names by id, for the Pool and Host columns. */
  readonly names = new SvelteMap<string, string>()
  /** The latest task of each VM that has one running or just ended. */
  readonly tasks = new SvelteMap<string, TaskProgress>()

  readonly #xo: XoBridge
  #instanceId: string | undefined
  /** Each instance's filter and sort, so switching back finds the list as it was left. */
  readonly #views = new SvelteMap<string, { filter: string; sort: InventorySort }>()
  readonly #stop: (() => void)[] = []

  constructor(xo: XoBridge) {
    super()
    this.#xo = xo
    this.#stop.push(
      xo.on('inventory.diff', (diff) => this.#apply(diff)),
      xo.on('task.progress', (task) => {
        if (task.instanceId === this.#instanceId) this.tasks.set(task.objectId, task)
      }),
    )
  }

  /** Shows the VMs of an instance, from the first row. */
  async open(instanceId: string): Promise<void> {
    if (this.#instanceId)
      this.#views.set(this.#instanceId, { filter: this.filter, sort: this.sort })
    const view = this.#views.get(instanceId)
    this.list.filter = view?.filter ?? ''
    this.list.sort = view?.sort ?? { field: 'name_label', direction: 'asc' }
    this.#instanceId = instanceId
    this.tasks.clear()
    this.names.clear()
    // Rows first: on a fresh instance all three wait for the same first read, then come back in
    // the order asked, and the names (pools and hosts in full) are the bigger answers.
    await Promise.all([this.list.reset(), this.#loadNames('pools'), this.#loadNames('hosts')])
  }

  protected keyOf(row: InventoryObject): string {
    return row.id
  }

  protected pageOf(query: PageQuery): Promise<Result<ListPage<InventoryObject>>> {
    if (!this.#instanceId)
      return Promise.resolve({ ok: true, value: { offset: 0, items: [], total: 0 } })
    return this.#xo.invoke('inventory.page', {
      ...query,
      instanceId: this.#instanceId,
      collection: 'vms',
    })
  }

  async #loadNames(collection: 'pools' | 'hosts'): Promise<void> {
    if (!this.#instanceId) return
    const res = await this.#xo.invoke('inventory.page', {
      instanceId: this.#instanceId,
      collection,
      offset: 0,
      limit: 5_000,
    })
    if (res.ok)
      for (const item of res.value.items)
        this.names.set(item.id, String(item['name_label'] ?? item.id))
  }

  /** Starts a power action; its progress and outcome arrive as `task.progress` events. */
  /** Runs an action on a VM; `confirmName` is the name typed in the confirmation, when asked. */
  async act(vmId: string, action: VmPowerAction, confirmName?: string): Promise<void> {
    if (!this.#instanceId) return
    const instanceId = this.#instanceId
    this.tasks.set(vmId, { instanceId, taskId: '', objectId: vmId, action, status: 'pending' })
    const res = await this.#xo.invoke('vms.action', {
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

  #apply(diff: InventoryDiff): void {
    if (diff.instanceId !== this.#instanceId) return
    if (diff.collection === 'pools' || diff.collection === 'hosts') {
      // A resync carries no objects (see InventoryDiff): read the names again.
      if (diff.resynced) void this.#loadNames(diff.collection)
      for (const item of diff.upserts)
        this.names.set(item.id, String(item['name_label'] ?? item.id))
      // A renamed pool or host may move rows sorted by it.
      if (this.sort.field === '$pool' || this.sort.field === '$container')
        this.list.changed({ upserts: [], removals: 0, resynced: true })
      return
    }
    if (diff.collection !== 'vms') return
    this.list.changed({
      upserts: diff.upserts,
      removals: diff.removals.length,
      ...(diff.resynced ? { resynced: true } : {}),
      total: diff.total,
    })
  }

  dispose(): void {
    for (const stop of this.#stop) stop()
  }
}
