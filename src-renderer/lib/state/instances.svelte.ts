import type { AppError, ConnectionState, InstanceSummary, Result, XoBridge } from '@contract'

/** The sidebar's instances and which one is open. One subscription for the app's lifetime. */
export class InstancesState {
  list = $state<InstanceSummary[]>([])
  selectedId = $state<string | undefined>()
  error = $state<AppError | undefined>()
  opening = $state(false)
  loaded = $state(false)
  /** True while the "Add an XO" form is open. */
  adding = $state(false)
  /** What main could not read at start (settings file, keychain), shown until dismissed. */
  notices = $state<AppError[]>([])

  readonly selected = $derived(this.list.find((i) => i.id === this.selectedId))

  readonly #xo: XoBridge

  constructor(xo: XoBridge) {
    this.#xo = xo
    xo.on('instance.state', (state) => this.#setLive(state))
    xo.on('instance.updated', (instance) => this.updated(instance))
  }

  #setLive(state: ConnectionState): void {
    this.list = this.list.map((i) => (i.id === state.instanceId ? { ...i, live: state } : i))
  }

  /** An instance whose settings changed (signed in again, new certificate trusted). */
  updated(instance: InstanceSummary): void {
    this.list = this.list.map((i) => (i.id === instance.id ? instance : i))
  }

  /** The list in main's order, after the admin moved an instance. */
  reordered(list: InstanceSummary[]): void {
    this.list = list
  }

  /** A removed instance leaves the sidebar; the first one left is opened. */
  removed(id: string): void {
    this.list = this.list.filter((i) => i.id !== id)
    if (this.selectedId === id) this.selectedId = this.list[0]?.id
  }

  /** Ctrl/Cmd+1…9: the instance at that place in the sidebar. */
  selectByPosition(position: number): boolean {
    const instance = this.list[position - 1]
    if (!instance) return false
    this.adding = false
    this.selectedId = instance.id
    return true
  }

  /** A new instance from the "Add an XO" form: listed and opened. */
  added(instance: InstanceSummary): void {
    this.adding = false
    this.#upsert(instance)
  }

  #upsert(instance: InstanceSummary): void {
    const others = this.list.filter((i) => i.id !== instance.id)
    this.list = [...others, instance]
    this.selectedId = instance.id
  }

  async load(): Promise<void> {
    const res = await this.#xo.invoke('instances.list', undefined)
    this.loaded = true
    if (!res.ok) {
      this.error = res.error
      return
    }
    this.list = res.value
    this.selectedId ??= res.value[0]?.id
    const notices = await this.#xo.invoke('instances.notices', undefined)
    if (notices.ok) this.notices = notices.value
  }

  /** Starts the built-in simulator and opens it, as a newcomer's first step. */
  async openDemo(): Promise<void> {
    await this.#run(() => this.#xo.invoke('demo.open', undefined))
  }

  /** Throws the Demo lab away and starts it again, as new. */
  async resetDemo(): Promise<void> {
    await this.#run(() => this.#xo.invoke('demo.reset', undefined))
  }

  async #run(call: () => Promise<Result<InstanceSummary>>): Promise<void> {
    this.opening = true
    this.error = undefined
    const res = await call()
    this.opening = false
    if (res.ok) this.#upsert(res.value)
    else this.error = res.error
  }
}
