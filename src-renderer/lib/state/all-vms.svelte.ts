import { SvelteMap } from 'svelte/reactivity'
import type {
  AppError,
  CrossInstanceObject,
  InventoryDiff,
  InventorySort,
  TaskProgress,
  UnavailableInstance,
  VmPowerAction,
  XoBridge,
} from '@contract'

/** How many rows the table keeps loaded around what is on screen (as `VmTable`). */
const WINDOW = 200

/** A VM's key across instances: ids are only unique within one XO. */
export function vmKey(instanceId: string, id: string): string {
  return `${instanceId}\u0000${id}`
}

/**
 * The VMs of every connected instance in one table: a window of the merged list read from main
 * (`inventory.pageAll`), kept current by the diffs of any instance; actions go to each VM's own
 * instance. The same patterns as `VmTable`.
 */
export class AllVms {
  rows = $state<CrossInstanceObject[]>([])
  total = $state(0)
  offset = $state(0)
  filter = $state('')
  sort = $state<InventorySort>({ field: 'name_label', direction: 'asc' })
  error = $state<AppError | undefined>()
  loading = $state(false)
  /** Instances left out of the list, and why. */
  unavailable = $state<UnavailableInstance[]>([])
  /** Pool and host names, by {@link vmKey} of their instance and id. */
  readonly names = new SvelteMap<string, string>()
  /** The latest task of each VM that has one running or just ended, by {@link vmKey}. */
  readonly tasks = new SvelteMap<string, TaskProgress>()

  readonly #xo: XoBridge
  #open = false
  #reloadQueued = false
  readonly #stop: (() => void)[] = []

  constructor(xo: XoBridge) {
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
    this.offset = 0
    this.rows = []
    this.names.clear()
    await Promise.all([this.reload(), this.#loadNames('pools'), this.#loadNames('hosts')])
  }

  /** Stops following diffs while another view is shown. */
  close(): void {
    this.#open = false
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

  /** Re-reads the current window from main's caches (not from XO). */
  async reload(): Promise<void> {
    this.loading = true
    const res = await this.#xo.invoke('inventory.pageAll', {
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
    this.unavailable = res.value.unavailable
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
      return
    }
    if (diff.collection !== 'vms') return
    // Changed rows on screen are patched in place (keeping their instance); anything that may
    // move rows, or an instance that came back (a resync), re-reads the window.
    const byKey: Record<string, (typeof diff.upserts)[number]> = Object.fromEntries(
      diff.upserts.map((o) => [vmKey(diff.instanceId, o.id), o]),
    )
    const shown: Record<string, true> = Object.fromEntries(
      this.rows.map((r) => [vmKey(r.$instance.id, r.id), true as const]),
    )
    const onlyPatches =
      !diff.resynced &&
      diff.removals.length === 0 &&
      diff.upserts.every((o) => shown[vmKey(diff.instanceId, o.id)]) &&
      !this.filter.trim()
    if (onlyPatches) {
      this.rows = this.rows.map((row) => {
        const next = byKey[vmKey(row.$instance.id, row.id)]
        return next ? { ...next, $instance: row.$instance } : row
      })
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
