import type { BrowserPrefs, BrowsableCollection, SavedSearch, XoBridge } from '@contract'
import type { Column } from '../objects/object-types'

const DEFAULTS: BrowserPrefs = {
  locale: 'system',
  density: 'comfortable',
  columns: {},
  searches: [],
}
/** A resize sends one save once the drag pauses, not one per mouse move. */
const SAVE_PAUSE_MS = 400

/**
 * The browser's preferences kept in main (columns per instance and type, saved searches): read
 * once, changed here at once, saved in the background.
 */
export class BrowserPrefsState {
  prefs = $state.raw<BrowserPrefs>(DEFAULTS)
  readonly #xo: XoBridge
  #saving: ReturnType<typeof setTimeout> | undefined
  #pending: Partial<BrowserPrefs> = {}

  constructor(xo: XoBridge) {
    this.#xo = xo
  }

  async load(): Promise<void> {
    const res = await this.#xo.invoke('prefs.get', undefined)
    if (res.ok) this.prefs = res.value
  }

  get density(): BrowserPrefs['density'] {
    return this.prefs.density
  }

  setDensity(density: BrowserPrefs['density']): void {
    this.#update({ density })
  }

  /** The columns a table shows, in order, with their widths: the admin's choice or the type's. */
  columns(instanceId: string, collection: BrowsableCollection, all: Column[]): Column[] {
    const layout = this.prefs.columns[`${instanceId}/${collection}`]
    const visible = layout
      ? layout.visible
          .map((key) => all.find((c) => c.key === key))
          .filter((c): c is Column => c !== undefined)
      : all.filter((c) => !c.hidden)
    return visible.map((c) => ({ ...c, width: layout?.widths[c.key] ?? c.width }))
  }

  /** Shows or hides a column (the name column always stays). */
  toggleColumn(
    instanceId: string,
    collection: BrowsableCollection,
    all: Column[],
    key: string,
  ): void {
    const shown = this.columns(instanceId, collection, all).map((c) => c.key)
    const next = shown.includes(key)
      ? shown.filter((k) => k !== key)
      : all.map((c) => c.key).filter((k) => k === key || shown.includes(k))
    this.#setLayout(instanceId, collection, { visible: next })
  }

  resizeColumn(
    instanceId: string,
    collection: BrowsableCollection,
    all: Column[],
    key: string,
    width: number,
  ): void {
    const current = this.columns(instanceId, collection, all)
    const widths = Object.fromEntries(current.map((c) => [c.key, c.width]))
    widths[key] = Math.round(Math.min(2_000, Math.max(40, width)))
    this.#setLayout(instanceId, collection, { visible: current.map((c) => c.key), widths })
  }

  resetColumns(instanceId: string, collection: BrowsableCollection): void {
    const columns = { ...this.prefs.columns }
    delete columns[`${instanceId}/${collection}`]
    this.#update({ columns })
  }

  searches(instanceId: string, collection: BrowsableCollection): SavedSearch[] {
    return this.prefs.searches.filter(
      (s) => s.instanceId === instanceId && s.collection === collection,
    )
  }

  saveSearch(
    instanceId: string,
    collection: BrowsableCollection,
    name: string,
    filter: string,
  ): void {
    const others = this.prefs.searches.filter(
      (s) => !(s.instanceId === instanceId && s.collection === collection && s.name === name),
    )
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
    this.#update({ searches: [...others, { id, instanceId, collection, name, filter }] })
  }

  removeSearch(id: string): void {
    this.#update({ searches: this.prefs.searches.filter((s) => s.id !== id) })
  }

  #setLayout(
    instanceId: string,
    collection: BrowsableCollection,
    change: { visible: string[]; widths?: Record<string, number> },
  ): void {
    const key = `${instanceId}/${collection}`
    const before = this.prefs.columns[key]
    const layout = { visible: change.visible, widths: change.widths ?? before?.widths ?? {} }
    this.#update({ columns: { ...this.prefs.columns, [key]: layout } })
  }

  #update(change: Partial<BrowserPrefs>): void {
    this.prefs = { ...this.prefs, ...change }
    this.#pending = { ...this.#pending, ...change }
    clearTimeout(this.#saving)
    this.#saving = setTimeout(() => {
      const pending = this.#pending
      this.#pending = {}
      void this.#xo.invoke('prefs.set', pending)
    }, SAVE_PAUSE_MS)
  }
}
