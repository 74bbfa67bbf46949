import { readFile } from 'node:fs/promises'
import { expect, test } from './fixtures'
import { AuditPage } from './pages/audit-page'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

// An admin starts a VM, then checks in the audit log what XO Desk did and how it ended, and saves
// the log as a file. Harness-only: it reads the Demo lab's simulator for a halted VM's name.
test('records a Demo lab VM start, shown in the audit log with "succeeded" and saved as CSV', async ({
  xo,
}) => {
  await new WelcomePage(xo.page).openDemo.click()
  const vms = new VmsPage(xo.page)
  const vm = [...(xo.core?.demo.simulator?.lab.store.list('vms') ?? [])].find(
    (v) => v['power_state'] === 'Halted',
  )
  const name = String(vm?.['name_label'])
  await vms.filter.fill(`name_label:"${name}"`)
  await vms.action(name, 'Start').click()
  await expect(vms.powerState(name)).toHaveText('Running')

  const audit = new AuditPage(xo.page)
  await audit.open.click()
  const rows = audit.rows(name)
  await expect(rows).toHaveCount(2)
  await expect(rows.first()).toContainText('Demo lab')
  await expect(rows.first()).toContainText('vms.start')
  await expect(rows.first().getByTestId('outcome')).toHaveText('succeeded')
  await expect(rows.nth(1).getByTestId('outcome')).toHaveText('started')

  // A Blob URL download, under the renderer's own Content-Security-Policy.
  const [download] = await Promise.all([xo.page.waitForEvent('download'), audit.exportCsv.click()])
  expect(download.suggestedFilename()).toMatch(/^xo-desk-audit-\d{4}-\d\d-\d\d\.csv$/)
  const csv = await readFile(await download.path(), 'utf8')
  expect(csv).toContain(`,Demo lab,demo,vms,${String(vm?.id)},${name},vms.start,succeeded,`)
})

test('shows a failed action in the audit log with what XO said', async ({ xo }) => {
  await new WelcomePage(xo.page).openDemo.click()
  const vms = new VmsPage(xo.page)
  const vm = [...(xo.core?.demo.simulator?.lab.store.list('vms') ?? [])].find(
    (v) => v['power_state'] === 'Halted',
  )
  const name = String(vm?.['name_label'])
  await vms.filter.fill(`name_label:"${name}"`)
  xo.core?.demo.simulator?.faults.add({
    method: 'POST',
    path: '/vms/*/actions/*',
    fault: { kind: 'status', status: 500 },
  })
  await vms.action(name, 'Start').click()
  const shown = await xo.page.getByRole('alert').locator('.what').textContent()

  const audit = new AuditPage(xo.page)
  await audit.open.click()
  const outcome = audit.rows(name).first().getByTestId('outcome')
  await expect(outcome).toHaveText(`failed: ${String(shown)}`)
  // In the danger colour (styles.css, light scheme).
  await expect(outcome).toHaveCSS('color', 'rgb(192, 57, 43)')
})
