import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, test } from '../fixtures'
import { generateCertificate, startSimulator } from '../../src-main/simulator'
import { AddInstancePage } from '../pages/add-instance-page'
import { VmsPage } from '../pages/vms-page'
import { WelcomePage } from '../pages/welcome-page'

/**
 * `npm run screenshots`: the app's main screens as PNGs in `screenshots/` (git-ignored), and the
 * README's picture in `docs/screenshot.png`. `npm test` runs the same journeys so they cannot rot;
 * only `npm run screenshots` rewrites the committed picture (npm names the running script).
 */
const OUT = 'screenshots'
const WRITES_README = process.env['npm_lifecycle_event'] === 'screenshots'

test.use({ viewport: { width: 1440, height: 820 } })

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  const file = join(OUT, `${name}.png`)
  await page.screenshot({ path: file })
  expect(statSync(file).size).toBeGreaterThan(10_000) // a real picture, not a blank page
}

test('the welcome screen offers the Demo lab on a fresh start', async ({ xo }) => {
  const welcome = new WelcomePage(xo.page)
  await expect(welcome.openDemo).toBeVisible()
  await shoot(xo.page, 'welcome')
})

test('the Demo lab lists its VMs, live', async ({ xo }) => {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')
  const vms = new VmsPage(xo.page)
  await expect(vms.table.getByRole('row').nth(8)).toBeVisible()
  await shoot(xo.page, 'demo-lab-vms')
  if (WRITES_README) await xo.page.screenshot({ path: join('docs', 'screenshot.png') })
})

test('a running VM’s details show its graphs', async ({ xo }) => {
  await new WelcomePage(xo.page).openDemo.click()
  const vms = new VmsPage(xo.page)
  await vms.filter.fill('power_state:Running')
  await expect(vms.table.getByTestId('power-state').first()).toHaveText('Running')
  await vms.table.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('button').click()
  await xo.page.getByRole('tab', { name: 'Stats' }).click()
  await expect(xo.page.getByTestId('stats-chart').first().locator('canvas').first()).toBeVisible()
  await shoot(xo.page, 'demo-lab-vm-stats')
  if (WRITES_README) await xo.page.screenshot({ path: join('docs', 'screenshot-details.png') })
})

test('a filter narrows the VM list to the running VMs', async ({ xo }) => {
  await new WelcomePage(xo.page).openDemo.click()
  const vms = new VmsPage(xo.page)
  await vms.filter.fill('power_state:Running')
  await expect(vms.table.getByTestId('power-state').first()).toHaveText('Running')
  await shoot(xo.page, 'demo-lab-filter')
})

test('adding an XO shows its certificate before trusting it', async ({ xo }) => {
  const cert = await generateCertificate()
  const sim = await startSimulator({ tls: cert, seed: 'shots', life: false })
  try {
    const form = new AddInstancePage(xo.page)
    await form.open.click()
    await form.name.fill('Production')
    await form.address.fill(sim.url.replace('/rest/v0', ''))
    await form.token.fill(sim.token)
    await form.add.click()
    await expect(form.fingerprint).toHaveText(cert.fingerprint256)
    await shoot(xo.page, 'add-xo-trust')
  } finally {
    await sim.close()
  }
})
