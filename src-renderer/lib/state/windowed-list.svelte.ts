import type { AppError, InventorySort, Result } from '@contract'

/** How many rows are kept loaded around what is on screen. */
export const WINDOW = 200
/** How long typing in the filter must pause before the list is read again. */
export const FILTER_PAUSE_MS = 150
/** The next window is read once the visible rows come this close to an edge of the loaded one. */
export const EDGE = WINDOW / 4
/**
 * Changes to rows outside the window may have moved them into it (main's diff says nothing about
 * positions): the window is read again for them at most this often, not once per diff.
 */
export const OFFSCREEN_RELOAD_MS = 100

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
 * - scrolling inside the loaded window farther than EDGE rows from its edges (fewer on a very tall
 *   screen), or inside the one being read, asks for nothing, and the end of the list is the end (no
 *   request per scroll event there); nearing an edge asks once, for the window around the visible
 *   rows, before they reach it;
 * - a row in the window is patched in place only if its sort value did not change; otherwise the
 *   window is read again, so the order holds;
 * - changes only to rows outside the window read it again at most once per OFFSCREEN_RELOAD_MS;
 * - a reload reads the window being read, if any, not the one the user scrolled away from.
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
  /** The first visible row last reported: which way the list scrolls. */
  #lastFirst = 0
  /** The delayed reload for changes outside the window. */
  #offscreen: ReturnType<typeof setTimeout> | undefined
  #typing: ReturnType<typeof setTimeout> | undefined

  constructor(source: ListSource<Row>) {
    this.#source = source
  }

  /** Reads the window starting at `offset` (by default the one being read, else the current one). */
  async load(offset = this.#reading?.offset ?? this.offset): Promise<void> {
    // This read sees every change so far.
    clearTimeout(this.#offscreen)
    this.#offscreen = undefined
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
    this.rows = this.#reuse(res.value.items)
    this.total = res.value.total
  }

  /** The rows read, with the ones that did not change kept as they were: nothing redraws them. */
  #reuse(items: Row[]): Row[] {
    const key = (row: Row): string => this.#source.key(row)
    // A plain lookup for this one pass (nothing renders from it).
    const before: Record<string, Row> = Object.fromEntries(this.rows.map((r) => [key(r), r]))
    return items.map((row) => {
      const old = before[key(row)]
      return old !== undefined && same(old, row) ? old : row
    })
  }

  /** From the first row again (a new filter, sort or list). */
  reset(): Promise<void> {
    clearTimeout(this.#typing)
    this.offset = 0
    this.rows = []
    return this.load(0)
  }

  /**
   * The visible rows moved: reads the window around them when they come within EDGE rows of an
   * edge of the loaded one (the list's own ends excepted), unless the window being read covers them.
   */
  scrolledTo(firstVisible: number, visibleCount: number): void {
    const first = Math.max(0, firstVisible)
    // Past the last row there is nothing to load.
    const end = Math.min(first + visibleCount, this.total)
    // Less on a screen so tall that a centred window would be within EDGE of an edge already.
    const edge = Math.max(0, Math.min(EDGE, Math.floor((WINDOW - (end - first)) / 3)))
    const covers = (offset: number, length: number, margin: number): boolean =>
      first >= offset + (offset > 0 ? margin : 0) &&
      end <= offset + length - (offset + length < this.total ? margin : 0)
    if (covers(this.offset, this.rows.length, edge)) return
    const previous = this.#lastFirst
    this.#lastFirst = first
    if (this.#reading && covers(this.#reading.offset, this.#reading.limit, 0)) return
    // Ahead of the way the list scrolls, keeping a little more than EDGE behind (so going back a
    // few rows reads nothing): a steady scroll reads half as often as with a centred window.
    // Centred after a jump or when it did not move.
    const behind = Math.round(edge * 1.25)
    const step = first - previous
    const offset =
      step > 0 && step < WINDOW
        ? first - behind
        : step < 0 && -step < WINDOW
          ? end + behind - WINDOW
          : Math.floor((first + end - WINDOW) / 2)
    void this.load(Math.max(0, offset))
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
   * Changes pushed by main. Rows in the window whose sort value did not change are patched in
   * place; anything that may move rows in it (a removal, a new row, a changed sort value, a filter
   * that may no longer match, a resync) reads the window again, once per burst. Changes only to
   * rows outside the window (one may have moved into it) read it again at most once per
   * OFFSCREEN_RELOAD_MS.
   */
  changed(change: { upserts: Row[]; removals: number; resynced?: boolean; total?: number }): void {
    const key = (row: Row): string => this.#source.key(row)
    // Plain lookups for this one pass (nothing renders from them).
    const shown: Record<string, Row> = Object.fromEntries(this.rows.map((r) => [key(r), r]))
    const field = this.sort.field
    const filtered = this.filter.trim() !== ''
    const patches: Record<string, Row> = {}
    let outside = false
    let moved =
      change.resynced === true ||
      change.removals > 0 ||
      // Without a filter, the list is the collection: another count means rows came or went.
      (!filtered && change.total !== undefined && change.total !== this.total)
    for (const row of change.upserts) {
      const before = shown[key(row)]
      if (before === undefined) outside = true
      else if (filtered || !same(sortValue(before, field), sortValue(row, field))) moved = true
      else patches[key(row)] = row
    }
    if (moved) return this.#queueReload()
    if (Object.keys(patches).length > 0)
      this.rows = this.rows.map((row) => patches[key(row)] ?? row)
    if (outside) this.#queueOffscreenReload()
  }

  #queueOffscreenReload(): void {
    if (this.#offscreen !== undefined || this.#reloadQueued) return
    this.#offscreen = setTimeout(() => {
      this.#offscreen = undefined
      void this.load()
    }, OFFSCREEN_RELOAD_MS)
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
