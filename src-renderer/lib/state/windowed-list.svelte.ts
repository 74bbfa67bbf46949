import type { AppError, InventorySort, Result } from '@contract'

/** How many rows are kept loaded around what is on screen. */
export const WINDOW = 200
/** How long typing in the filter must pause before the list is read again. */
export const FILTER_PAUSE_MS = 150

/** One page as main answers it: the rows from `offset`, and how many the whole list has. */
export interface ListPage<Row> {
  offset: number
  items: Row[]
  total: number
}

export interface PageQuery {
  offset: number
  limit: number
  sort: InventorySort
  filter?: string
}

/** Where a list's pages come from (`inventory.page`, `inventory.pageAll`), and how rows are told apart. */
export interface ListSource<Row> {
  page(query: PageQuery): Promise<Result<ListPage<Row>>>
  key(row: Row): string
}

/** The value a sort reads from a row (`memory.size`: a path). */
function sortValue(row: unknown, field: string): unknown {
  let value = row
  for (const key of field.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b)

/**
 * A window of a long list read page by page from main, shared by every table. What it
 * guarantees, each one tested (windowed-list.svelte.test.ts):
 * - an answer older than the latest request is dropped, never drawn over newer rows;
 * - `rows` and `offset` change together, from the page's own offset, so rows are never drawn at
 *   another window's positions;
 * - scrolling inside the loaded window, or inside the one being read, asks for nothing, and the
 *   end of the list is the end (no request per scroll event there);
 * - a row on screen is patched in place only if its sort value did not change; otherwise the window
 *   is read again, so the order holds.
 */
export class WindowedList<Row> {
  rows = $state.raw<Row[]>([])
  /** Where `rows` start in the whole list: always the offset of the page they came from. */
  offset = $state(0)
  total = $state(0)
  filter = $state('')
  sort = $state<InventorySort>({ field: 'name_label', direction: 'asc' })
  error = $state<AppError | undefined>()
  loading = $state(false)

  readonly #source: ListSource<Row>
  /** Numbers each request; only the answer to the latest one is used. */
  #sequence = 0
  /** The window being read, while a request is out. */
  #reading: { offset: number; limit: number } | undefined
  #reloadQueued = false
  #typing: ReturnType<typeof setTimeout> | undefined

  constructor(source: ListSource<Row>) {
    this.#source = source
  }

  /** Reads the window starting at `offset` (the current one by default). */
  async load(offset = this.offset): Promise<void> {
    const sequence = ++this.#sequence
    const start = Math.max(0, offset)
    this.#reading = { offset: start, limit: WINDOW }
    this.loading = true
    const filter = this.filter.trim()
    const res = await this.#source.page({
      offset: start,
      limit: WINDOW,
      sort: this.sort,
      ...(filter ? { filter } : {}),
    })
    // A newer request went out meanwhile: its answer is the one to show.
    if (sequence !== this.#sequence) return
    this.#reading = undefined
    this.loading = false
    if (!res.ok) {
      this.error = res.error
      return
    }
    this.error = undefined
    this.offset = res.value.offset
    this.rows = res.value.items
    this.total = res.value.total
  }

  /** From the first row again (a new filter, sort or list). */
  reset(): Promise<void> {
    clearTimeout(this.#typing)
    this.offset = 0
    this.rows = []
    return this.load(0)
  }

  /** The visible rows moved: reads another window only when they leave the loaded (or coming) one. */
  scrolledTo(firstVisible: number, visibleCount: number): void {
    const first = Math.max(0, firstVisible)
    // Past the last row there is nothing to load.
    const end = Math.min(first + visibleCount, this.total)
    const covers = (offset: number, length: number): boolean =>
      first >= offset && end <= offset + length
    if (covers(this.offset, this.rows.length)) return
    if (this.#reading && covers(this.#reading.offset, this.#reading.limit)) return
    void this.load(Math.max(0, first - WINDOW / 4))
  }

  /**
   * A new filter, read once typing pauses: one request per pause, not per key, and no parse error
   * flashed for a half-typed word.
   */
  setFilter(filter: string): Promise<void> {
    this.filter = filter
    clearTimeout(this.#typing)
    return new Promise((done) => {
      this.#typing = setTimeout(() => void this.reset().then(done), FILTER_PAUSE_MS)
    })
  }

  sortBy(field: string): Promise<void> {
    const direction = this.sort.field === field && this.sort.direction === 'asc' ? 'desc' : 'asc'
    this.sort = { field, direction }
    return this.reset()
  }

  /**
   * Changes pushed by main. Rows on screen whose sort value did not change are patched in place;
   * anything that may move rows (a removal, a new row, a changed sort value, a filter that may no
   * longer match, a resync) reads the window again, once per burst.
   */
  changed(change: { upserts: Row[]; removals: number; resynced?: boolean; total?: number }): void {
    const key = (row: Row): string => this.#source.key(row)
    // Plain lookups for this one pass (nothing renders from them).
    const byKey: Record<string, Row> = Object.fromEntries(change.upserts.map((r) => [key(r), r]))
    const shown: Record<string, Row> = Object.fromEntries(this.rows.map((r) => [key(r), r]))
    const field = this.sort.field
    const patchable =
      !change.resynced &&
      change.removals === 0 &&
      !this.filter.trim() &&
      change.upserts.every((row) => {
        const before = shown[key(row)]
        return before !== undefined && same(sortValue(before, field), sortValue(row, field))
      })
    if (!patchable) return this.#queueReload()
    this.rows = this.rows.map((row) => byKey[key(row)] ?? row)
    if (change.total !== undefined) this.total = change.total
  }

  #queueReload(): void {
    if (this.#reloadQueued) return
    this.#reloadQueued = true
    queueMicrotask(() => {
      this.#reloadQueued = false
      void this.load()
    })
  }
}
