import { expect, test } from './fixtures'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

test('starts a halted VM from the command palette with the keyboard only', async ({ xo }) => {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')
  const halted = [...(xo.core?.demo.simulator?.lab.store.list('vms') ?? [])].find(
    (v) => v['power_state'] === 'Halted',
  )
  const name = String(halted?.['name_label'])
  const vms = new VmsPage(xo.page)
  await vms.filter.fill(`name_label:"${name}"`)
  await expect(vms.powerState(name)).toHaveText('Halted')

  await xo.page.keyboard.press('Control+k')
  const command = xo.page.getByRole('combobox', { name: 'Command' })
  await expect(command).toBeFocused()
  await xo.page.keyboard.type(`start ${name}`)
  const palette = xo.page.getByRole('dialog', { name: 'Command palette' })
  const first = palette.getByRole('option').first()
  await expect(first).toHaveText(new RegExp(`^Start ${name}`))
  await expect(first).toHaveAttribute('aria-selected', 'true')
  await xo.page.keyboard.press('Enter')
  await expect(palette).toBeHidden()
  await expect(vms.powerState(name)).toHaveText('Running', { timeout: 15_000 })
})
