import { expect, test } from './fixtures'
import { AddInstancePage } from './pages/add-instance-page'
import { AllVmsPage } from './pages/all-vms-page'
import { WelcomePage } from './pages/welcome-page'
import { generateCertificate, startSimulator, type RunningSimulator } from '../src-main/simulator'

// The Demo lab and an admin's own XO (a simulator over TLS, added through the form) in one list.
// Harness-only: it reads both simulators' state, which the packaged app does not expose.
let lab: RunningSimulator | undefined
test.afterEach(async () => {
  await lab?.close()
  lab = undefined
})

test('all instances in one list: every VM of both, filtered as in XO, started on its own instance', async ({
  xo,
}) => {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')

  lab = await startSimulator({
    tls: await generateCertificate(),
    seed: 'e2e-all',
    life: false,
    actionDelayMs: 400,
    vms: 12,
  })
  const form = new AddInstancePage(xo.page)
  await form.open.click()
  await form.name.fill('Lab')
  await form.address.fill(lab.url)
  await form.token.fill(lab.token)
  await form.add.click()
  await form.trust.click()
  await expect(welcome.instance('Lab')).toContainText('Live')

  const demo = xo.core?.demo.simulator?.lab.store
  if (!demo) throw new Error('the Demo lab is not open')
  const all = new AllVmsPage(xo.page)
  await all.open.click()
  await expect(xo.page.getByRole('heading', { name: 'All instances: VMs' })).toBeVisible()
  await expect(all.count).toHaveText(`${demo.count('vms') + lab.lab.store.count('vms')} VMs`)
  await expect(all.instances.filter({ hasText: /^Demo lab$/ }).first()).toBeVisible()
  await expect(all.instances.filter({ hasText: /^Lab$/ }).first()).toBeVisible()
  await expect(all.unavailable).toHaveCount(0)

  const halted = (vms: Iterable<Record<string, unknown>>): number =>
    [...vms].filter((vm) => vm['power_state'] === 'Halted').length
  await all.filter.fill('power_state:Halted')
  await expect(all.count).toHaveText(
    `${halted(demo.list('vms')) + halted(lab.lab.store.list('vms'))} VMs`,
  )
  await expect(all.table.getByTestId('power-state').filter({ hasNotText: 'Halted' })).toHaveCount(0)

  const vm = [...lab.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
  if (!vm) throw new Error('the second simulator has no halted VM')
  const name = String(vm['name_label'])
  await expect(all.powerState(name, 'Lab')).toHaveText('Halted')
  await all.filter.fill(`name_label:"${name}"`)
  await all.action(name, 'Lab', 'Start').click()
  await expect(all.row(name, 'Lab').getByRole('status')).toContainText('Starting…')
  await expect(all.powerState(name, 'Lab')).toHaveText('Running')
  // The action went to the VM's own instance: that simulator's VM is running.
  expect(lab.lab.store.get('vms', vm.id)?.['power_state']).toBe('Running')
})
