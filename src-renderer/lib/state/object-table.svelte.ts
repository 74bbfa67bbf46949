import { SvelteMap, SvelteSet } from 'svelte/reactivity'
import type {
  BrowsableCollection,
  InventoryDiff,
  InventorySort,
  Result,
  Row,
  XoBridge,
} from '@contract'
import { ListTable } from './list-table.svelte'
import type { ListPage, PageQuery } from './windowed-list.svelte'
import { listFields, objectType } from '../objects/object-types'

/** The collections whose names other lists show in place of ids (`$pool`, `$container`, `$SR`…). */
const NAMED = ['pools', 'hosts', 'srs', 'networks'] as const
export type NamedCollection = (typeof NAMED)[number]

/**
 * The table of one object type of one instance: a window of rows read from main's inventory cache
 * (a `WindowedList`), kept current by the pushed diffs (nothing here polls XO), the names of the
 * pools, hosts, SRs and networks its columns refer to, and the rows the admin selected.
 */
export class ObjectTable<C extends BrowsableCollection = BrowsableCollection> extends ListTable<
  Row<C>
> {
  /** Pool, host, SR and network names by id, for the columns that refer to them. */
  readonly names = new SvelteMap<string, string>()
  /** Which collection each named id belongs to (the search chips offer pools and hosts). */
  readonly kinds = new SvelteMap<string, NamedCollection>()
  /** The ids of the selected rows (Ctrl/Cmd+click toggles, Shift+click extends). */
  readonly selected = new SvelteSet<string>()

  protected readonly xo: XoBridge
  #instanceId = $state<string | undefined>()
  #collection = $state<C>()
  /** The row a Shift+click extends the selection from. */
  #anchor: number | undefined
  /** Each list's filter and sort, so coming back finds it as it was left. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a plain memo: nothing renders from it
  readonly #views = new Map<string, { filter: string; sort: InventorySort }>()
  readonly #stop: (() => void)[] = []

  constructor(xo: XoBridge, collection: C) {
    super()
    this.xo = xo
    this.#collection = collection
    this.#stop.push(xo.on('inventory.diff', (diff) => this.#apply(diff)))
  }

  get instanceId(): string | undefined {
    return this.#instanceId
  }

  get collection(): C {
    return this.#collection as C
  }

  /** Shows the objects of a type of an instance, from the first row. */
  async show(instanceId: string, collection: C = this.collection): Promise<void> {
    if (this.#instanceId)
      this.#views.set(`${this.#instanceId}/${this.collection}`, {
        filter: this.filter,
        sort: this.sort,
      })
    const view = this.#views.get(`${instanceId}/${collection}`)
    this.list.filter = view?.filter ?? ''
    this.list.sort = view?.sort ?? objectType(collection).sort
    const sameInstance = instanceId === this.#instanceId
    this.#instanceId = instanceId
    this.#collection = collection
    this.selected.clear()
    this.#anchor = undefined
    this.opened()
    if (sameInstance && this.names.size > 0) return this.list.reset()
    this.names.clear()
    this.kinds.clear()
    // Rows first: on a fresh instance every request waits for the same first read, then they come
    // back in the order asked, and the names (whole small collections) are the bigger answers.
    await Promise.all([this.list.reset(), ...NAMED.map((c) => this.#loadNames(c))])
  }

  /** Called when another list is shown: subclasses drop what belonged to the previous one. */
  protected opened(): void {}

  protected keyOf(row: Row<C>): string {
    return row.id
  }

  protected pageOf(query: PageQuery): Promise<Result<ListPage<Row<C>>>> {
    if (!this.#instanceId)
      return Promise.resolve({ ok: true, value: { offset: 0, items: [], total: 0 } })
    // Main's cache holds the picked fields of XO's objects: the generated type, partially.
    return this.xo.invoke('inventory.page', {
      ...query,
      instanceId: this.#instanceId,
      collection: this.collection,
      fields: listFields(this.collection),
    }) as Promise<Result<ListPage<Row<C>>>>
  }

  /**
   * A click on a row: alone it selects that row only; with `toggle` (Ctrl/Cmd) it adds or removes
   * it; with `extend` (Shift) it selects every row from the last one clicked.
   */
  select(index: number, mode: { toggle?: boolean; extend?: boolean } = {}): void {
    const row = this.rows[index - this.offset]
    if (!row) return
    if (mode.extend && this.#anchor !== undefined) {
      const [from, to] = [Math.min(this.#anchor, index), Math.max(this.#anchor, index)]
      if (!mode.toggle) this.selected.clear()
      for (let i = from; i <= to; i++) {
        const r = this.rows[i - this.offset]
        if (r) this.selected.add(r.id)
      }
      return
    }
    this.#anchor = index
    if (mode.toggle) {
      if (this.selected.has(row.id)) this.selected.delete(row.id)
      else this.selected.add(row.id)
      return
    }
    this.selected.clear()
    this.selected.add(row.id)
  }

  /** Selects or unselects one row by its checkbox, keeping the others. */
  check(id: string, on: boolean): void {
    if (on) this.selected.add(id)
    else this.selected.delete(id)
  }

  clearSelection(): void {
    this.selected.clear()
    this.#anchor = undefined
  }

  /** The selected rows still loaded (a selection survives scrolling away from it; ids stay). */
  get selectedRows(): Row<C>[] {
    return this.rows.filter((row) => this.selected.has(row.id))
  }

  async #loadNames(collection: (typeof NAMED)[number]): Promise<void> {
    if (!this.#instanceId) return
    const res = await this.xo.invoke('inventory.page', {
      instanceId: this.#instanceId,
      collection,
      offset: 0,
      limit: 5_000,
      fields: ['name_label'],
    })
    if (res.ok) for (const item of res.value.items) this.#name(collection, item)
  }

  #name(collection: NamedCollection, item: { id: string } & Record<string, unknown>): void {
    this.names.set(item.id, String(item['name_label'] ?? item.id))
    this.kinds.set(item.id, collection)
  }

  /** The pools or hosts known, by name, for the search chips. */
  named(collection: NamedCollection): { id: string; name: string }[] {
    return [...this.kinds]
      .filter(([, kind]) => kind === collection)
      .map(([id]) => ({ id, name: this.names.get(id) ?? id }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  #apply(diff: InventoryDiff): void {
    if (diff.instanceId !== this.#instanceId) return
    if ((NAMED as readonly string[]).includes(diff.collection)) {
      // A resync carries no objects (see InventoryDiff): read the names again.
      const named = diff.collection as NamedCollection
      if (diff.resynced) void this.#loadNames(named)
      for (const item of diff.upserts) this.#name(named, item)
      // A renamed pool or host may move rows sorted by it.
      if (
        diff.collection !== this.collection &&
        (this.sort.field === '$pool' || this.sort.field === '$container')
      )
        this.list.changed({ upserts: [], removals: 0, resynced: true })
      if (diff.collection !== this.collection) return
    }
    if (diff.collection !== this.collection) return
    for (const id of diff.removals) this.selected.delete(id)
    this.list.changed({
      upserts: diff.upserts as Row<C>[],
      removals: diff.removals.length,
      ...(diff.resynced ? { resynced: true } : {}),
      total: diff.total,
    })
  }

  dispose(): void {
    for (const stop of this.#stop) stop()
  }
}
