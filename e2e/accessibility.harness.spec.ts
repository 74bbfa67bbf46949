// axe-core on every main view of the Demo lab, in light and dark: no serious or critical
// violation (https://github.com/dequelabs/axe-core/blob/develop/doc/rule-descriptions.md).
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { WelcomePage } from './pages/welcome-page'

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('; ')})`,
    )
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the main views have no serious accessibility violation (${colorScheme})`, async ({
    xo,
  }) => {
    test.setTimeout(90_000)
    await xo.page.emulateMedia({ colorScheme })
    const welcome = new WelcomePage(xo.page)
    expect(await seriousViolations(xo.page), 'welcome').toEqual([])
    await welcome.openDemo.click()
    await expect(welcome.instance('Demo lab')).toContainText('Live')
    await expect(xo.page.getByRole('table', { name: 'VMs' }).getByRole('row')).not.toHaveCount(1)
    expect(await seriousViolations(xo.page), 'VMs').toEqual([])
    const sidebar = xo.page.getByRole('navigation', { name: 'Instances' })
    for (const view of ['Transfers', 'Library', 'Audit log', 'Certificates']) {
      await sidebar.getByRole('button', { name: view, exact: false }).first().click()
      await expect(xo.page.getByRole('heading', { level: 1, name: view })).toBeVisible()
      expect(await seriousViolations(xo.page), view).toEqual([])
    }
  })
}
