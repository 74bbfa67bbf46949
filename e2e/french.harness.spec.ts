import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { WelcomePage } from './pages/welcome-page'

// Switched to French, the main views show no English string of XO Desk's own (XO's data — VM
// names, tags, pool names — stays as XO has it). Words that French shares with English (Pools,
// Messages, Stats, Tags…) are not listed.
const ENGLISH = [
  'Filter',
  'Columns',
  'Copy as curl',
  'Tasks',
  'Library',
  'Audit log',
  'Certificates',
  'Transfers',
  'Add an XO',
  'Start',
  'Shut down',
  'Reboot',
  'Export',
  'Name',
  'Power state',
  'Memory',
  'Hosts',
  'Templates',
  'Snapshots',
  'Networks',
  'Alarms',
  'Users',
  'Groups',
  'Back',
  'Forward',
  'Shortcuts',
  'Overview',
  'Related',
  'Add a tag',
  'Language',
  'selected',
  'Running',
  'Halted',
  'Save search',
  'Any pool',
  'Any host',
  'Disks',
]

/** Every English word of the list found in the page's text, labels, placeholders and titles. */
async function englishOn(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const parts = [document.body.innerText]
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]'))
      for (const attr of ['aria-label', 'placeholder', 'title'])
        parts.push(el.getAttribute(attr) ?? '')
    return parts.join('\n')
  })
  // XO's search syntax stays XO's (`power_state:Running` in an example is not an English word).
  const ui = text.replace(/[\w$.]+:"?[^\s"]+"?/g, ' ')
  return ENGLISH.filter((word) => new RegExp(`(^|[^\\p{L}])${word}([^\\p{L}]|$)`, 'u').test(ui))
}

test('switched to French, the VM list, a VM’s details, the hosts and the tasks show no English', async ({
  xo,
}) => {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')
  await xo.page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Français' })
  await expect(xo.page.locator('html')).toHaveAttribute('lang', 'fr')
  const vms = xo.page.getByRole('table').first()
  await expect(vms.getByRole('row')).not.toHaveCount(1)
  expect(await englishOn(xo.page), 'VM list').toEqual([])

  await vms.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('button').click()
  await expect(xo.page.getByRole('tablist')).toBeVisible()
  expect(await englishOn(xo.page), 'VM details').toEqual([])
  await xo.page.getByRole('tab').nth(1).click()
  expect(await englishOn(xo.page), 'VM details, related').toEqual([])

  const types = xo.page.getByRole('navigation').nth(1)
  await types.getByRole('button').nth(2).click()
  await expect(xo.page.getByRole('table').first().getByRole('row')).not.toHaveCount(1)
  expect(await englishOn(xo.page), 'hosts').toEqual([])

  await xo.page.getByTestId('open-tasks').click()
  await expect(xo.page.getByRole('heading', { level: 1 })).toBeVisible()
  expect(await englishOn(xo.page), 'tasks').toEqual([])
})
