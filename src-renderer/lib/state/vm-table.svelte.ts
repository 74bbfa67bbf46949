import { SvelteMap } from 'svelte/reactivity'
import type {
  AppError,
  InventoryDiff,
  InventoryObject,
  InventorySort,
  TaskProgress,
  VmPowerAction,
  XoBridge,
} from '@contract'

/** How many rows the table keeps loaded around what is on screen. */
const WINDOW = 200

/**
 * The VM table of one instance: a window of rows read from main's inventory cache, kept current by
 * the pushed diffs (main follows XO's event stream; nothing here polls XO), plus running actions.
 */
export class VmTable {
  rows = $state<InventoryObject[]>([])
  total = $state(0)
  offset = $state(0)
  filter = $state('')
  sort = $state<InventorySort>({ field: 'name_label', direction: 'asc' })
  error = $state<AppError | undefined>()
  loading = $state(false)
  /** Pool and host names by id, for the Pool and Host columns. */
  readonly names = new SvelteMap<string, string>()
  /** The latest task of each VM that has one running or just ended. */
  readonly tasks = new SvelteMap<string, TaskProgress>()

  readonly #xo: XoBridge
  #instanceId: string | undefined
  /** Each instance's filter and sort, so switching back finds the list as it was left. */
  readonly #views = new SvelteMap<string, { filter: string; sort: InventorySort }>()
  #reloadQueued = false
  readonly #stop: (() => void)[] = []

  constructor(xo: XoBridge) {
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
    this.filter = view?.filter ?? ''
    this.sort = view?.sort ?? { field: 'name_label', direction: 'asc' }
    this.#instanceId = instanceId
    this.offset = 0
    this.rows = []
    this.tasks.clear()
    this.names.clear()
    // Rows first: on a fresh instance all three wait for the same first read, then come back in
    // the order asked, and the names (pools and hosts in full) are the bigger answers.
    await Promise.all([this.reload(), this.#loadNames('pools'), this.#loadNames('hosts')])
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

  /** Re-reads the current window from main's cache (not from XO). */
  async reload(): Promise<void> {
    if (!this.#instanceId) return
    this.loading = true
    const res = await this.#xo.invoke('inventory.page', {
      instanceId: this.#instanceId,
      collection: 'vms',
      offset: this.offset,
      limit: WINDOW,
      sort: this.sort,
      ...(this.filter.trim() ? { filter: this.filter.trim() } : {}),
    })
    this.loading = false
    if (!res.ok) {
      this.error = res.error
      return
    }
    this.error = undefined
    this.rows = res.value.items
    this.total = res.value.total
  }

  /** Called when the visible rows move: loads another window when they leave the loaded one. */
  scrolledTo(firstVisible: number, visibleCount: number): void {
    const end = firstVisible + visibleCount
    if (firstVisible >= this.offset && end <= this.offset + this.rows.length) return
    this.offset = Math.max(0, firstVisible - WINDOW / 4)
    void this.reload()
  }

  setFilter(filter: string): void {
    this.filter = filter
    this.offset = 0
    void this.reload()
  }

  sortBy(field: string): void {
    const direction = this.sort.field === field && this.sort.direction === 'asc' ? 'desc' : 'asc'
    this.sort = { field, direction }
    void this.reload()
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
      return
    }
    if (diff.collection !== 'vms') return
    // Changed rows on screen are patched in place; anything that may move rows re-reads the window.
    // Plain lookups for this one pass (not state: nothing renders from them).
    const byId: Record<string, InventoryObject> = Object.fromEntries(
      diff.upserts.map((o) => [o.id, o]),
    )
    const shown: Record<string, true> = Object.fromEntries(
      this.rows.map((r) => [r.id, true as const]),
    )
    const onlyPatches =
      !diff.resynced &&
      diff.removals.length === 0 &&
      diff.upserts.every((o) => shown[o.id]) &&
      !this.filter.trim()
    if (onlyPatches) {
      this.rows = this.rows.map((row) => byId[row.id] ?? row)
      this.total = diff.total
      return
    }
    this.#queueReload()
  }

  #queueReload(): void {
    if (this.#reloadQueued) return
    this.#reloadQueued = true
    queueMicrotask(() => {
      this.#reloadQueued = false
      void this.reload()
    })
  }

  dispose(): void {
    for (const stop of this.#stop) stop()
  }
}
