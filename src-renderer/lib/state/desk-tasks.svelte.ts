import { SvelteSet } from 'svelte/reactivity'
import type { DeskTask, XoBridge } from '@contract'

/**
 * The Tasks panel: the actions XO Desk started, across instances, as main reports them
 * (`desk.task`), newest first.
 */
export class DeskTasksState {
  tasks = $state.raw<DeskTask[]>([])
  readonly #xo: XoBridge
  /** The tasks the admin started from a dialog or a menu: their failure is told where they are. */
  readonly #followed = new SvelteSet<string>()

  constructor(xo: XoBridge) {
    this.#xo = xo
  }

  /** Reads the list, then follows it; returns the function that stops following. */
  watch(): () => void {
    const stop = this.#xo.on('desk.task', (task) => this.#put(task))
    void this.#xo.invoke('tasks.list', undefined).then((res) => {
      if (res.ok) for (const task of res.value.toReversed()) this.#put(task)
    })
    return stop
  }

  get running(): number {
    return this.tasks.filter((t) => t.status === 'pending').length
  }

  /** The latest task on an object, while it runs or just failed: what its row shows. */
  of(instanceId: string, id: string): DeskTask | undefined {
    return this.tasks.find((t) => t.instanceId === instanceId && t.object.id === id)
  }

  async clear(): Promise<void> {
    const res = await this.#xo.invoke('tasks.clear', undefined)
    if (res.ok) this.tasks = res.value
  }

  /** A task just started from the window: listed at once, and its failure told until dismissed. */
  add(task: DeskTask): void {
    this.#followed.add(task.id)
    this.#put(task)
  }

  /** The started tasks that failed, now or later, and were not dismissed. */
  get failures(): DeskTask[] {
    return this.tasks.filter((t) => this.#followed.has(t.id) && t.status === 'failure' && t.error)
  }

  dismiss(id: string): void {
    this.#followed.delete(id)
  }

  #put(task: DeskTask): void {
    const others = this.tasks.filter((t) => t.id !== task.id)
    this.tasks = [task, ...others].sort((a, b) => b.startedAt - a.startedAt)
  }
}
