import type { EventName, Events } from '@contract'

export type EventListener = <E extends EventName>(name: E, payload: Events[E]) => void

/** Typed publish/subscribe between main's services and whatever forwards events to a window. */
export class EventHub {
  readonly #listeners = new Set<EventListener>()

  publish<E extends EventName>(name: E, payload: Events[E]): void {
    for (const listener of this.#listeners) listener(name, payload)
  }

  /** Returns the unsubscribe function; call it when the window (or test page) goes away. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  get size(): number {
    return this.#listeners.size
  }
}
