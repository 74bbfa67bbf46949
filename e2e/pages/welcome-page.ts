import type { Locator, Page } from '@playwright/test'

/** The first screen of a fresh install, and the sidebar's instances. */
export class WelcomePage {
  readonly openDemo: Locator
  readonly sidebar: Locator

  constructor(readonly page: Page) {
    this.openDemo = page.getByRole('button', { name: 'Open the Demo lab' })
    this.sidebar = page.getByRole('navigation', { name: 'Instances' })
  }

  instance(label: string): Locator {
    return this.sidebar.getByRole('button', { name: new RegExp(`^${label}`) })
  }
}
