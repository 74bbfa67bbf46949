import type { Locator, Page } from '@playwright/test'

/** The "Add an XO" form and its trust step. */
export class AddInstancePage {
  readonly open: Locator
  readonly name: Locator
  readonly address: Locator
  readonly token: Locator
  readonly usePassword: Locator
  readonly user: Locator
  readonly password: Locator
  readonly environment: Locator
  readonly add: Locator
  readonly fingerprint: Locator
  readonly trust: Locator
  readonly error: Locator

  constructor(readonly page: Page) {
    this.open = page
      .getByRole('navigation', { name: 'Instances' })
      .getByRole('button', { name: 'Add an XO' })
    this.name = page.getByLabel('Name', { exact: true })
    this.address = page.getByLabel('Address')
    this.token = page.getByLabel('Token', { exact: true })
    this.usePassword = page.getByLabel('User name and password')
    this.user = page.getByLabel('User name', { exact: true })
    this.password = page.getByLabel('Password', { exact: true })
    this.environment = page.getByLabel('Environment')
    this.add = page.getByRole('button', { name: 'Add', exact: true })
    this.fingerprint = page.getByTestId('fingerprint')
    this.trust = page.getByRole('button', { name: 'Trust this certificate' })
    this.error = page.getByRole('alert')
  }
}
