import type { AppError, InventorySort, Result } from '@contract'
import { WindowedList, type ListPage, type PageQuery } from './windowed-list.svelte'

/**
 * What every table of rows read from main shares: its `WindowedList` (rows, offset, total, filter,
 * sort), exposed read-only to the view, and the calls a view makes. A table says where its pages
 * come from (`pageOf`) and how rows are told apart (`keyOf`).
 */
export abstract class ListTable<Row> {
  protected readonly list: WindowedList<Row>

  constructor() {
    this.list = new WindowedList<Row>({
      key: (row) => this.keyOf(row),
      page: (query) => this.pageOf(query),
    })
  }

  protected abstract keyOf(row: Row): string
  protected abstract pageOf(query: PageQuery): Promise<Result<ListPage<Row>>>

  get rows(): Row[] {
    return this.list.rows
  }
  get total(): number {
    return this.list.total
  }
  get offset(): number {
    return this.list.offset
  }
  get filter(): string {
    return this.list.filter
  }
  get sort(): InventorySort {
    return this.list.sort
  }
  get error(): AppError | undefined {
    return this.list.error
  }
  get loading(): boolean {
    return this.list.loading
  }

  /** Re-reads the current window from main's cache (not from XO). */
  reload(): Promise<void> {
    return this.list.load()
  }

  /** Called when the visible rows move: loads another window when they leave the loaded one. */
  scrolledTo(firstVisible: number, visibleCount: number): void {
    this.list.scrolledTo(firstVisible, visibleCount)
  }

  setFilter(filter: string): void {
    void this.list.setFilter(filter)
  }

  sortBy(field: string): void {
    void this.list.sortBy(field)
  }
}
