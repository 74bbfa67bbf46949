import type { Locator, Page } from '@playwright/test'

/** The "All instances" view: the VMs of every connected instance in one table. */
export class AllVmsPage {
  readonly open: Locator
  readonly table: Locator
  readonly count: Locator
  readonly filter: Locator
  readonly unavailable: Locator

  constructor(readonly page: Page) {
    this.open = page
      .getByRole('navigation', { name: 'Instances' })
      .getByRole('button', { name: 'All instances' })
    this.table = page.getByRole('table', { name: 'All VMs' })
    this.count = page.getByTestId('vm-count')
    this.filter = page.getByRole('searchbox', { name: 'Filter VMs' })
    this.unavailable = page.getByTestId('unavailable-notice')
  }

  /** Every row's Instance cell. */
  get instances(): Locator {
    return this.table.getByTestId('instance')
  }

  row(name: string, instance: string): Locator {
    return this.table.getByRole('row', { name: `${name} on ${instance}`, exact: true })
  }

  powerState(name: string, instance: string): Locator {
    return this.row(name, instance).getByTestId('power-state')
  }

  action(name: string, instance: string, label: string): Locator {
    return this.row(name, instance).getByRole('button', { name: label, exact: true })
  }
}
