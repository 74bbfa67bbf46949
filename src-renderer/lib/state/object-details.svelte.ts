import type { AppError, MissingPatch, ObjectDetails, ObjectRef, XoBridge } from '@contract'

/** A live change to the object shown re-reads its details at most this often. */
const REFRESH_PAUSE_MS = 500

/**
 * One object's details: read from main (`objects.details`), read again when the event stream
 * changes it (so a new tag, a snapshot or a migration shows without a click), and its tags edited
 * inline.
 */
export class ObjectDetailsState {
  details = $state.raw<ObjectDetails | undefined>()
  error = $state<AppError | undefined>()
  loading = $state(false)
  /** The object was removed from XO while shown. */
  gone = $state(false)
  /** A host's missing patches, read when their tab opens (XO asks its update servers). */
  patches = $state.raw<MissingPatch[] | undefined>()
  patchesError = $state<AppError | undefined>()
  readonly ref: ObjectRef
  readonly #xo: XoBridge
  #sequence = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(xo: XoBridge, ref: ObjectRef) {
    this.#xo = xo
    this.ref = ref
  }

  /** Reads now, then follows the changes; returns the function that stops following. */
  watch(): () => void {
    void this.load()
    const stop = this.#xo.on('inventory.diff', (diff) => {
      if (diff.instanceId !== this.ref.instanceId) return
      if (diff.collection === this.ref.collection && diff.removals.includes(this.ref.id)) {
        this.gone = true
        return
      }
      // Its own changes, and those of other types (a new snapshot, a disk moved, a VM started on a
      // host); the many changes to other objects of its own type are not its business.
      const own = diff.collection === this.ref.collection
      if (!own || diff.resynced || diff.upserts.some((o) => o.id === this.ref.id)) this.#soon()
    })
    return () => {
      stop()
      clearTimeout(this.#timer)
    }
  }

  async load(): Promise<void> {
    const sequence = ++this.#sequence
    this.loading = true
    const res = await this.#xo.invoke('objects.details', this.ref)
    if (sequence !== this.#sequence) return
    this.loading = false
    if (res.ok) {
      this.details = res.value
      this.error = undefined
      this.gone = false
    } else this.error = res.error
  }

  async loadPatches(): Promise<void> {
    if (this.ref.collection !== 'hosts' || this.patches) return
    const res = await this.#xo.invoke('objects.patches', {
      instanceId: this.ref.instanceId,
      id: this.ref.id,
    })
    if (res.ok) this.patches = res.value
    else this.patchesError = res.error
  }

  /** Adds or removes a tag; the object's new tags arrive through the event stream. */
  async tag(tag: string, present: boolean): Promise<AppError | undefined> {
    const collection = this.ref.collection
    if (!isTaggable(collection)) return undefined
    const res = await this.#xo.invoke('objects.tag', {
      instanceId: this.ref.instanceId,
      collection,
      id: this.ref.id,
      tag,
      present,
    })
    if (!res.ok) return res.error
    const task = res.value
    if (task.status === 'failure') return task.error
    void this.load()
    return undefined
  }

  #soon(): void {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.load()
    }, REFRESH_PAUSE_MS)
  }
}

const TAGGABLE = [
  'pools',
  'hosts',
  'vms',
  'vm-templates',
  'vm-snapshots',
  'srs',
  'vdis',
  'vdi-snapshots',
  'networks',
] as const

export function isTaggable(collection: string): collection is (typeof TAGGABLE)[number] {
  return (TAGGABLE as readonly string[]).includes(collection)
}
