import type { AppError, LibraryEntry, XoBridge } from '@contract'

/** The Library view's state: main's listing of the library, read again when main says it changed. */
export class LibraryState {
  entries = $state<LibraryEntry[]>([])
  root = $state('')
  loaded = $state(false)
  error = $state<AppError | undefined>()

  readonly #xo: XoBridge

  constructor(xo: XoBridge) {
    this.#xo = xo
  }

  /** Entries by instance folder, folders in name order (loose files under ''). */
  get folders(): [string, LibraryEntry[]][] {
    const by: Record<string, LibraryEntry[]> = {}
    for (const e of this.entries) (by[e.folder] ??= []).push(e)
    return Object.entries(by).sort(([a], [b]) => a.localeCompare(b))
  }

  watch(): () => void {
    void this.load()
    return this.#xo.on('library.changed', () => void this.load())
  }

  async load(): Promise<void> {
    const res = await this.#xo.invoke('library.list', undefined)
    this.loaded = true
    if (!res.ok) return void (this.error = res.error)
    this.root = res.value.root
    this.entries = res.value.entries
    this.error = undefined
  }

  async verify(id: string): Promise<void> {
    this.#replace(id, (e) => ({ ...e, checksum: { ...e.checksum, state: 'verifying' } }))
    const res = await this.#xo.invoke('library.verify', { id })
    if (res.ok) this.#replace(id, () => res.value)
    else {
      this.error = res.error
      await this.load()
    }
  }

  async remove(id: string): Promise<void> {
    const res = await this.#xo.invoke('library.remove', { id })
    if (res.ok) this.entries = this.entries.filter((e) => e.id !== id)
    else this.error = res.error
  }

  /** Moves the library to another folder; main creates it and checks it is writable. */
  async setFolder(path: string): Promise<boolean> {
    const res = await this.#xo.invoke('library.setFolder', { path })
    if (!res.ok) {
      this.error = res.error
      return false
    }
    this.root = res.value.root
    this.entries = res.value.entries
    this.error = undefined
    return true
  }

  async reveal(id: string): Promise<void> {
    const res = await this.#xo.invoke('library.reveal', { id })
    if (!res.ok) this.error = res.error
  }

  #replace(id: string, change: (e: LibraryEntry) => LibraryEntry): void {
    this.entries = this.entries.map((e) => (e.id === id ? change(e) : e))
  }
}
