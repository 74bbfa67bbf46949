import type { Locator, Page } from '@playwright/test'

/** The "Instance settings" view of a saved instance, opened from its sidebar entry. */
export class SettingsPage {
  readonly name: Locator
  readonly environment: Locator
  readonly readOnly: Locator
  readonly save: Locator
  readonly moveUp: Locator
  readonly moveDown: Locator
  readonly remove: Locator

  constructor(readonly page: Page) {
    const view = page.getByRole('region', { name: /^Settings of / })
    this.name = view.getByLabel('Name', { exact: true })
    this.environment = view.getByLabel('Environment')
    this.readOnly = view.getByLabel(/^Read-only/)
    this.save = view.getByRole('button', { name: 'Save' })
    this.moveUp = view.getByRole('button', { name: 'Move up' })
    this.moveDown = view.getByRole('button', { name: 'Move down' })
    this.remove = view.getByRole('button', { name: 'Remove…' })
  }

  /** The "Settings" button of an instance's sidebar entry (shown while it is selected). */
  open(instance: string): Locator {
    return this.page
      .getByRole('navigation', { name: 'Instances' })
      .getByRole('button', { name: `Settings of ${instance}` })
  }
}
