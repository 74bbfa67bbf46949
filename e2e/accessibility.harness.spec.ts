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
    test.setTimeout(150_000)
    await xo.page.emulateMedia({ colorScheme })
    const welcome = new WelcomePage(xo.page)
    expect(await seriousViolations(xo.page), 'welcome').toEqual([])
    await welcome.openDemo.click()
    await expect(welcome.instance('Demo lab')).toContainText('Live')
    await expect(xo.page.getByRole('table', { name: 'VMs' }).getByRole('row')).not.toHaveCount(1)
    expect(await seriousViolations(xo.page), 'VMs').toEqual([])
    // A VM's details, tab by tab, then another type's list and the tree.
    const firstVm = xo.page.getByRole('table', { name: 'VMs' }).getByRole('row').nth(1)
    await firstVm.getByRole('cell').nth(1).getByRole('button').click()
    await expect(xo.page.getByRole('tab', { name: 'Overview' })).toBeVisible()
    expect(await seriousViolations(xo.page), 'VM details').toEqual([])
    for (const tab of ['Related', 'Stats', 'Console']) {
      await xo.page.getByRole('tab', { name: tab }).click()
      await expect(xo.page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true')
      expect(await seriousViolations(xo.page), `VM details, ${tab}`).toEqual([])
    }
    const types = xo.page.getByRole('navigation', { name: 'Object types' })
    await types.getByRole('button', { name: /^Hosts/ }).click()
    await expect(xo.page.getByRole('table', { name: 'Hosts' }).getByRole('row')).not.toHaveCount(1)
    expect(await seriousViolations(xo.page), 'Hosts').toEqual([])
    await types.getByRole('button', { name: 'Pools and hosts tree' }).click()
    await xo.page.getByRole('list', { name: 'Pools' }).getByRole('button').first().click()
    expect(await seriousViolations(xo.page), 'tree').toEqual([])
    const sidebar = xo.page.getByRole('navigation', { name: 'Instances' })
    for (const view of [
      'Tasks',
      'Alarms and messages',
      'Transfers',
      'Library',
      'Audit log',
      'Certificates',
    ]) {
      await sidebar.getByRole('button', { name: view, exact: false }).first().click()
      await expect(xo.page.getByRole('heading', { level: 1, name: view })).toBeVisible()
      expect(await seriousViolations(xo.page), view).toEqual([])
    }
  })
}
