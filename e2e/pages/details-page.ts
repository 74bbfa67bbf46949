import type { Locator, Page } from '@playwright/test'

/** An object's details: its heading, actions, tags and tabs. */
export class DetailsPage {
  readonly heading: Locator
  readonly kind: Locator
  readonly newTag: Locator

  constructor(readonly page: Page) {
    const section = page.getByRole('region').filter({ has: page.locator('#details-title') })
    this.heading = page.locator('#details-title')
    this.kind = section.locator('.kind')
    this.newTag = page.getByRole('textbox', { name: 'New tag' })
  }

  tab(name: string | RegExp): Locator {
    return this.page.getByRole('tab', { name })
  }

  action(label: string): Locator {
    return this.page.getByRole('toolbar', { name: /^Actions on/ }).getByRole('button', {
      name: label,
      exact: true,
    })
  }

  /** A tag shown on the object: its chip, found by its remove button. */
  tag(name: string): Locator {
    return this.page
      .getByRole('group', { name: 'Tags' })
      .getByRole('button', { name: `Remove the tag ${name}`, exact: true })
  }

  /** A related object's link, in the group of that relation ("Disks", "Host"…). */
  related(group: string, name: string): Locator {
    return this.page.getByRole('list', { name: group }).getByRole('link', { name, exact: true })
  }
}
