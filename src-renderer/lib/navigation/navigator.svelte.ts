import type { BrowsableCollection, InventoryCollection } from '@contract'

/** A page of the app besides an instance's objects. */
export type PanelName = 'audit' | 'certificates' | 'transfers' | 'library' | 'tasks' | 'inbox'

/** The tabs of an object's details. */
export type DetailsTab =
  'overview' | 'related' | 'stats' | 'console' | 'alarms' | 'tasks' | 'patches'

/**
 * What the window shows: every view is a place, so back/forward and links inside the app work the
 * same from anywhere (a VM opens the same way from a list, a link or the command palette).
 */
export type Place =
  | { kind: 'home' }
  | { kind: 'list'; instanceId: string; collection: BrowsableCollection }
  | { kind: 'tree'; instanceId: string }
  | {
      kind: 'object'
      instanceId: string
      collection: InventoryCollection
      id: string
      tab?: DetailsTab
    }
  | { kind: 'all' }
  | { kind: 'panel'; panel: PanelName }

const LIMIT = 100

const same = (a: Place, b: Place): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The window's history of places: `go` pushes, `back` and `forward` move along it. */
export class Navigator {
  place = $state<Place>({ kind: 'home' })
  #back = $state<Place[]>([])
  #forward = $state<Place[]>([])

  get canGoBack(): boolean {
    return this.#back.length > 0
  }
  get canGoForward(): boolean {
    return this.#forward.length > 0
  }

  /** Shows a place; the one left is kept for `back` (the same place twice is one step). */
  go(place: Place): void {
    if (same(place, this.place)) return
    this.#back = [...this.#back, this.place].slice(-LIMIT)
    this.#forward = []
    this.place = place
  }

  /** Changes the current place without a history step (a tab switched inside the same object). */
  replace(place: Place): void {
    this.place = place
  }

  back(): void {
    const previous = this.#back.at(-1)
    if (!previous) return
    this.#back = this.#back.slice(0, -1)
    this.#forward = [this.place, ...this.#forward]
    this.place = previous
  }

  forward(): void {
    const next = this.#forward[0]
    if (!next) return
    this.#forward = this.#forward.slice(1)
    this.#back = [...this.#back, this.place]
    this.place = next
  }

  /** Places of an instance that is gone are dropped from the history. */
  forget(instanceId: string): void {
    const keep = (p: Place): boolean => !('instanceId' in p) || p.instanceId !== instanceId
    this.#back = this.#back.filter(keep)
    this.#forward = this.#forward.filter(keep)
    if (!keep(this.place)) this.place = { kind: 'home' }
  }

  /** The instance the current place belongs to, if any. */
  get instanceId(): string | undefined {
    return 'instanceId' in this.place ? this.place.instanceId : undefined
  }
}
