import type { AppError, TransferSettings, TransferTotals, TransferView, XoBridge } from '@contract'
import { SvelteMap } from 'svelte/reactivity'

/**
 * The Transfers view's state: main's transfers by id, kept current by `transfer.updated`. The
 * transfers run in main; this only shows them, so closing the view or switching instances loses
 * nothing.
 */
export class TransfersState {
  readonly byId = new SvelteMap<string, TransferView>()
  totals = $state<TransferTotals>({ running: 0, queued: 0 })
  settings = $state<TransferSettings>({ parallel: 2 })
  error = $state<AppError | undefined>()

  readonly #xo: XoBridge

  constructor(xo: XoBridge) {
    this.#xo = xo
  }

  /** Newest first. */
  get list(): TransferView[] {
    return [...this.byId.values()].sort((a, b) => b.queuedAt - a.queuedAt)
  }

  /** How many are queued or running: the sidebar's badge. */
  get active(): number {
    return this.totals.running + this.totals.queued
  }

  /** Loads the list and follows main's updates; returns the unsubscribe. */
  watch(): () => void {
    const offUpdate = this.#xo.on('transfer.updated', (view) => this.byId.set(view.id, view))
    const offTotals = this.#xo.on('transfer.totals', (totals) => (this.totals = totals))
    void this.load()
    return () => {
      offUpdate()
      offTotals()
    }
  }

  async load(): Promise<void> {
    const [list, settings] = await Promise.all([
      this.#xo.invoke('transfers.list', undefined),
      this.#xo.invoke('transfers.settings', undefined),
    ])
    if (!list.ok) return void (this.error = list.error)
    for (const view of list.value) this.byId.set(view.id, view)
    if (settings.ok) this.settings = settings.value
  }

  async cancel(id: string): Promise<void> {
    this.#apply(await this.#xo.invoke('transfers.cancel', { transferId: id }))
  }

  async retry(id: string): Promise<void> {
    this.#apply(await this.#xo.invoke('transfers.retry', { transferId: id }))
  }

  async clear(): Promise<void> {
    const res = await this.#xo.invoke('transfers.clear', undefined)
    if (!res.ok) return void (this.error = res.error)
    this.byId.clear()
    for (const view of res.value) this.byId.set(view.id, view)
  }

  async configure(settings: TransferSettings): Promise<void> {
    const res = await this.#xo.invoke('transfers.configure', settings)
    if (res.ok) this.settings = res.value
    else this.error = res.error
  }

  #apply(res: { ok: true; value: TransferView } | { ok: false; error: AppError }): void {
    if (res.ok) {
      this.byId.set(res.value.id, res.value)
      this.error = undefined
    } else this.error = res.error
  }
}
