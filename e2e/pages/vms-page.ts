import type { Locator, Page } from '@playwright/test'

/** The VM table of the open instance. */
export class VmsPage {
  readonly table: Locator
  readonly count: Locator
  readonly filter: Locator

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'VMs' })
    this.count = page.getByTestId('vm-count')
    this.filter = page.getByRole('searchbox', { name: 'Filter VMs' })
  }

  row(name: string): Locator {
    return this.table.getByRole('row', { name, exact: true })
  }

  powerState(name: string): Locator {
    return this.row(name).getByTestId('power-state')
  }

  action(name: string, label: string): Locator {
    return this.row(name).getByRole('button', { name: label, exact: true })
  }
}
