import type { Locator, Page } from '@playwright/test'

/** The Transfers view, the Library view and the export and import dialogs. */
export class TransfersPage {
  readonly openTransfers: Locator
  readonly openLibrary: Locator
  readonly transfers: Locator
  readonly limit: Locator
  readonly exportDialog: Locator
  readonly importDialog: Locator

  constructor(readonly page: Page) {
    const sidebar = page.getByRole('navigation', { name: 'Instances' })
    this.openTransfers = sidebar.getByTestId('open-transfers')
    this.openLibrary = sidebar.getByRole('button', { name: 'Library', exact: true })
    this.transfers = page.getByRole('table', { name: 'Transfers' })
    this.limit = page.getByRole('textbox', { name: 'Bandwidth limit in MiB/s' })
    this.exportDialog = page.getByRole('dialog', { name: /^Export / })
    this.importDialog = page.getByRole('dialog', { name: /^Import / })
  }

  /** The Transfers row of an export or import of `name`. */
  transfer(direction: 'Export' | 'Import', name: string): Locator {
    return this.transfers.getByRole('row', { name: new RegExp(`${direction} ${name}`) })
  }

  /** A file's row in the Library (its folder's table). */
  libraryFile(name: RegExp): Locator {
    return this.page.getByRole('table', { name: /^Library: / }).getByRole('row', { name })
  }
}
