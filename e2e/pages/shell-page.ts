import type { Locator, Page } from '@playwright/test'

/** The app's frame: sidebar, main area and status bar. */
export class ShellPage {
  readonly sidebar: Locator
  readonly statusBar: Locator
  readonly heartbeat: Locator
  readonly showDetails: Locator
  readonly version: Locator
  readonly platform: Locator

  constructor(readonly page: Page) {
    this.sidebar = page.getByRole('navigation', { name: 'Instances' })
    this.statusBar = page.getByRole('contentinfo', { name: 'Status' })
    this.heartbeat = page.getByTestId('heartbeat')
    this.showDetails = page.getByRole('button', { name: 'Show app details' })
    this.version = page.getByTestId('app-version')
    this.platform = page.getByTestId('app-platform')
  }
}
