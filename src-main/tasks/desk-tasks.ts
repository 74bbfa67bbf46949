import type { DeskTask } from '@contract'

/**
 * The actions XO Desk started this session, across instances: what the Tasks panel lists. Each
 * change is published (`desk.task`), so the panel and the rows follow without polling.
 */
export class DeskTasks {
  readonly #publish: (task: DeskTask) => void
  readonly #tasks = new Map<string, DeskTask>()

  constructor(publish: (task: DeskTask) => void) {
    this.#publish = publish
  }

  /** Newest first; of tasks started in the same millisecond (a bulk action), the last one first. */
  list(): DeskTask[] {
    return [...this.#tasks.values()].reverse().sort((a, b) => b.startedAt - a.startedAt)
  }

  /** Forgets the ended tasks; returns those left. */
  clear(): DeskTask[] {
    for (const [id, task] of this.#tasks) if (task.status !== 'pending') this.#tasks.delete(id)
    return this.list()
  }

  /** Records a new or changed task and tells the window. */
  put(task: DeskTask): DeskTask {
    this.#tasks.set(task.id, task)
    this.#publish(task)
    return task
  }

  get(id: string): DeskTask | undefined {
    return this.#tasks.get(id)
  }
}
