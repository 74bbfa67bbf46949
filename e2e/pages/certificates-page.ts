import type { Locator, Page } from '@playwright/test'

/** The Certificates screen, opened from the sidebar. */
export class CertificatesPage {
  readonly open: Locator

  constructor(readonly page: Page) {
    this.open = page
      .getByRole('navigation', { name: 'Instances' })
      .getByRole('button', { name: 'Certificates' })
  }

  /** One saved instance's certificate, by the instance's name. */
  entry(instance: string): { pinned: Locator; presented: Locator; system: Locator } {
    const region = this.page.getByRole('region', { name: instance, exact: true })
    return {
      pinned: region.getByTestId('cert-pinned'),
      presented: region.getByTestId('cert-presented'),
      system: region.getByTestId('cert-system'),
    }
  }
}
