import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { pickFields } from './http/collection-response'
import type { CollectionName, XoRecord } from './lab/types'
import type { ChangeKind, LabStore } from './store'
import { LISTENER_TYPES } from './xo-types'

interface Subscriber {
  id: string
  res: ServerResponse
  /** Listener type → fields ('*' or a list). */
  subscriptions: Map<string, '*' | string[]>
  ping: NodeJS.Timeout
}

/**
 * XO's Server-Sent Events (`GET /events`, docs/xo-rest-api.md#events): a stream per subscriber,
 * `init` first, `ping` every 30 s, and add/update/remove for the collections it subscribed to.
 * Nothing is replayed on reconnect.
 */
export class EventStreams {
  readonly #subscribers = new Map<string, Subscriber>()
  readonly #stop: () => void

  constructor(
    store: LabStore,
    private readonly now: () => number,
    private readonly pingMs = 30_000,
  ) {
    this.#stop = store.subscribe((kind, collection, record, previous) =>
      this.#dispatch(kind, collection, record, previous),
    )
  }

  get count(): number {
    return this.#subscribers.size
  }

  /** Starts an SSE response and returns the subscriber id announced in `init`. */
  open(res: ServerResponse): string {
    const id = randomUUID()
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      Connection: 'keep-alive',
      'Cache-Control': 'no-cache, no-transform',
    })
    const ping = setInterval(
      () => this.#send(subscriber, 'ping', { ping: this.now() }),
      this.pingMs,
    )
    ping.unref()
    const subscriber: Subscriber = { id, res, subscriptions: new Map(), ping }
    this.#subscribers.set(id, subscriber)
    res.on('close', () => this.#drop(id))
    this.#send(subscriber, 'init', { id })
    return id
  }

  has(id: string): boolean {
    return this.#subscribers.has(id)
  }

  subscribe(id: string, collection: string, fields: '*' | string[]): void {
    this.#subscribers.get(id)?.subscriptions.set(collection, fields)
  }

  unsubscribe(id: string, collection: string): void {
    this.#subscribers.get(id)?.subscriptions.delete(collection)
  }

  /** Cuts every stream, as a server shutdown or a network drop would. */
  closeAll(): void {
    for (const s of [...this.#subscribers.values()]) s.res.destroy()
  }

  dispose(): void {
    this.closeAll()
    this.#stop()
  }

  #drop(id: string): void {
    const s = this.#subscribers.get(id)
    if (!s) return
    clearInterval(s.ping)
    this.#subscribers.delete(id)
  }

  #send(s: Subscriber, event: string, data: unknown): void {
    if (!s.res.destroyed) s.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  #dispatch(
    kind: ChangeKind,
    collection: CollectionName,
    record: XoRecord,
    previous?: XoRecord,
  ): void {
    if (this.#subscribers.size === 0) return
    const type = Object.keys(LISTENER_TYPES).find((t) => LISTENER_TYPES[t] === collection)
    if (!type) return
    // Tasks only ever produce update (creation included) and remove: xo-server's task manager
    // emits no `add` (@xen-orchestra/rest-api 0.39.0, dist/events/event.service.mjs).
    const event = type === 'task' && kind === 'add' ? 'update' : kind
    for (const s of this.#subscribers.values()) {
      const fields = s.subscriptions.get(type)
      if (fields === undefined) continue
      const picked = fields === '*' ? record : pickFields(record, fields)
      // With a field list, an update that changed none of the picked fields is not sent
      // (@xen-orchestra/rest-api 0.39.0, dist/events/event.class.mjs).
      if (kind === 'update' && fields !== '*' && previous) {
        if (JSON.stringify(pickFields(previous, fields)) === JSON.stringify(picked)) continue
      }
      this.#send(s, event, { ...picked, $subscription: type })
    }
  }
}
