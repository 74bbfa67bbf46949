import type { Locator, Page } from '@playwright/test'

/** The audit log view, opened from the sidebar. */
export class AuditPage {
  readonly open: Locator
  readonly table: Locator
  readonly exportCsv: Locator
  readonly exportJson: Locator

  constructor(readonly page: Page) {
    this.open = page
      .getByRole('navigation', { name: 'Instances' })
      .getByRole('button', { name: 'Audit log' })
    this.table = page.getByRole('table', { name: 'Audit log' })
    this.exportCsv = page.getByRole('button', { name: 'Export CSV' })
    this.exportJson = page.getByRole('button', { name: 'Export JSON' })
  }

  /** The rows about one object, newest first. */
  rows(objectName: string): Locator {
    return this.table.getByRole('row').filter({ hasText: objectName })
  }
}
