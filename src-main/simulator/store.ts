import type { CollectionName, LabData, XoRecord } from './lab/types'
import { COLLECTIONS } from './lab/types'

export type ChangeKind = 'add' | 'update' | 'remove'
export type ChangeListener = (
  kind: ChangeKind,
  collection: CollectionName,
  record: XoRecord,
  previous?: XoRecord,
) => void

/**
 * The simulator's live objects, by collection, in insertion order (XO's own order,
 * docs/xo-rest-api.md#collections-and-fields).
 * Every change is announced to listeners (SSE streams, task watchers).
 */
export class LabStore {
  readonly #collections = new Map<CollectionName, Map<string, XoRecord>>()
  readonly #listeners = new Set<ChangeListener>()

  constructor(data?: LabData) {
    for (const name of COLLECTIONS) {
      this.#collections.set(name, new Map((data?.collections[name] ?? []).map((r) => [r.id, r])))
    }
  }

  #of(collection: CollectionName): Map<string, XoRecord> {
    const map = this.#collections.get(collection)
    if (!map) throw new Error(`unknown collection ${collection}`)
    return map
  }

  get(collection: CollectionName, id: string): XoRecord | undefined {
    return this.#of(collection).get(id)
  }

  list(collection: CollectionName): IterableIterator<XoRecord> {
    return this.#of(collection).values()
  }

  count(collection: CollectionName): number {
    return this.#of(collection).size
  }

  /** The collection an id belongs to, searched in the given order (ids are unique across XO). */
  locate(id: string, among: readonly CollectionName[] = COLLECTIONS): CollectionName | undefined {
    return among.find((c) => this.#of(c).has(id))
  }

  insert(collection: CollectionName, record: XoRecord): XoRecord {
    this.#of(collection).set(record.id, record)
    this.#emit('add', collection, record)
    return record
  }

  /** Replaces the record with a new object (readers holding the old one keep a consistent copy). */
  update(collection: CollectionName, id: string, changes: Record<string, unknown>): XoRecord {
    const current = this.#of(collection).get(id)
    if (!current) throw new Error(`no ${collection} ${id}`)
    const next = { ...current, ...changes, id }
    this.#of(collection).set(id, next)
    this.#emit('update', collection, next, current)
    return next
  }

  remove(collection: CollectionName, id: string): XoRecord | undefined {
    const current = this.#of(collection).get(id)
    if (!current) return undefined
    this.#of(collection).delete(id)
    this.#emit('remove', collection, current)
    return current
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #emit(kind: ChangeKind, collection: CollectionName, record: XoRecord, previous?: XoRecord): void {
    for (const listener of this.#listeners) listener(kind, collection, record, previous)
  }
}
