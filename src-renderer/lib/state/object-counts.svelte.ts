import { SvelteMap } from 'svelte/reactivity'
import type { BrowsableCollection, XoBridge } from '@contract'

/** How many objects of each type the instance shown has: read once, then from every diff's total. */
export class ObjectCounts {
  readonly counts = new SvelteMap<string, number>()
  #instanceId: string | undefined
  readonly #xo: XoBridge

  constructor(xo: XoBridge) {
    this.#xo = xo
    xo.on('inventory.diff', (diff) => {
      // Most diffs change no count: leave the navigation alone then.
      if (diff.instanceId === this.#instanceId && this.counts.get(diff.collection) !== diff.total)
        this.counts.set(diff.collection, diff.total)
    })
  }

  async show(instanceId: string): Promise<void> {
    if (instanceId === this.#instanceId) return
    this.#instanceId = instanceId
    this.counts.clear()
    const res = await this.#xo.invoke('inventory.counts', { instanceId })
    if (!res.ok || this.#instanceId !== instanceId) return
    for (const [collection, count] of Object.entries(res.value)) this.counts.set(collection, count)
  }

  of(collection: BrowsableCollection): number | undefined {
    return this.counts.get(collection)
  }
}
