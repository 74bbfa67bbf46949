import { expect, test, type XoApp } from './fixtures'
import { AddInstancePage } from './pages/add-instance-page'
import { AllVmsPage } from './pages/all-vms-page'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'
import {
  generateCertificate,
  startSimulator,
  type RunningSimulator,
  type SelfSignedCertificate,
} from '../src-main/simulator'

// An admin's own XO instances side by side: two simulators over TLS on two ports, each with its
// own certificate and VMs. Harness-only: under Electron these would go to the real settings
// folder and keychain.
const sims: RunningSimulator[] = []
test.afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

async function tlsSim(vms: number, cert?: SelfSignedCertificate, port = 0, token?: string) {
  const c = cert ?? (await generateCertificate())
  const sim = await startSimulator({
    tls: c,
    port,
    seed: `e2e-${vms}`,
    life: false,
    actionDelayMs: 200,
    vms,
    ...(token ? { token } : {}),
  })
  sims.push(sim)
  return { sim, cert: c }
}

async function addByToken(xo: XoApp, name: string, sim: RunningSimulator): Promise<void> {
  const form = new AddInstancePage(xo.page)
  await form.open.click()
  await form.name.fill(name)
  await form.address.fill(sim.url)
  await form.token.fill(sim.token)
  await form.add.click()
  await form.trust.click()
  await expect(new WelcomePage(xo.page).instance(name)).toContainText('Live')
}

test('two XO instances, one signed in by password, switched with Ctrl+1 and Ctrl+2, each with its own VMs', async ({
  xo,
}) => {
  const prod = await tlsSim(30)
  const lab = await tlsSim(12)
  await addByToken(xo, 'Production', prod.sim)

  const form = new AddInstancePage(xo.page)
  await form.open.click()
  await form.name.fill('Lab')
  await form.address.fill(lab.sim.url)
  await form.usePassword.check()
  await form.user.fill('admin@admin.net')
  await form.password.fill('admin')
  await form.environment.fill('lab')
  await form.add.click()
  await form.trust.click()
  const sidebar = new WelcomePage(xo.page)
  await expect(sidebar.instance('Lab')).toContainText('Live')

  const vms = new VmsPage(xo.page)
  await expect(vms.count).toHaveText(`${lab.sim.lab.store.count('vms')} VMs`)
  await xo.page.keyboard.press('Control+1')
  await expect(xo.page.getByRole('heading', { name: 'Production: VMs' })).toBeVisible()
  await expect(vms.count).toHaveText(`${prod.sim.lab.store.count('vms')} VMs`)
  await expect(xo.page.getByTestId('environment-banner')).toHaveText('production')
  await xo.page.keyboard.press('Control+2')
  await expect(xo.page.getByRole('heading', { name: 'Lab: VMs' })).toBeVisible()
  await expect(vms.count).toHaveText(`${lab.sim.lab.store.count('vms')} VMs`)
  await expect(xo.page.getByTestId('environment-banner')).toHaveText('lab')

  // Both, side by side, in All instances.
  const all = new AllVmsPage(xo.page)
  await all.open.click()
  const total = prod.sim.lab.store.count('vms') + lab.sim.lab.store.count('vms')
  await expect(all.count).toHaveText(`${total} VMs`)
  await expect(all.instances.filter({ hasText: /^Lab$/ }).first()).toBeVisible()
  await expect(all.instances.filter({ hasText: /^Production$/ }).first()).toBeVisible()
})

test('a replaced certificate stops the instance with both fingerprints, until the admin trusts the new one', async ({
  xo,
}) => {
  const first = await tlsSim(10)
  await addByToken(xo, 'Production', first.sim)
  const port = Number(new URL(first.sim.url).port)
  await first.sim.close()
  sims.splice(sims.indexOf(first.sim), 1)
  const replaced = await generateCertificate()
  // The same XO (same token) back on the same address with a new certificate.
  const { sim } = await tlsSim(10, replaced, port, first.sim.token)

  await expect(
    xo.page.getByRole('heading', { name: 'The certificate of Production changed' }),
  ).toBeVisible({
    timeout: 15_000,
  })
  await expect(xo.page.getByTestId('pinned-fingerprint')).toHaveText(first.cert.fingerprint256)
  expect(sim.lab.requests).toEqual([])
  await xo.page.getByRole('button', { name: 'Show the new certificate' }).click()
  await expect(xo.page.getByTestId('presented-fingerprint')).toHaveText(replaced.fingerprint256)
  await xo.page.getByRole('button', { name: 'Trust the new certificate' }).click()
  await expect(new WelcomePage(xo.page).instance('Production')).toContainText('Live')
})

test('an expired token asks to sign in again, and the instance keeps its settings', async ({
  xo,
}) => {
  const { sim } = await tlsSim(10)
  await addByToken(xo, 'Production', sim)
  sim.lab.auth.expire(sim.token)
  sim.dropConnections()
  await expect(xo.page.getByRole('heading', { name: 'Sign in to Production again' })).toBeVisible({
    timeout: 15_000,
  })
  await xo.page.getByLabel('User name and password').check()
  await xo.page.getByLabel('User name', { exact: true }).fill('admin@admin.net')
  await xo.page.getByLabel('Password', { exact: true }).fill('admin')
  await xo.page.getByRole('button', { name: 'Sign in again' }).click()
  await expect(new WelcomePage(xo.page).instance('Production')).toContainText('Live')
  await expect(xo.page.getByTestId('environment-banner')).toHaveText('production')
})

test('forcing a VM off on a production instance asks for its name first', async ({ xo }) => {
  const { sim } = await tlsSim(40)
  await addByToken(xo, 'Production', sim)
  const paused = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Paused')
  if (!paused) throw new Error('the lab has no paused VM')
  const name = String(paused['name_label'])
  const vms = new VmsPage(xo.page)
  await vms.filter.fill(name)
  await vms.action(name, 'Force shutdown').click()
  const dialog = xo.page.getByRole('alertdialog')
  await expect(dialog).toContainText(`Force shutdown ${name} on Production?`)
  const confirm = dialog.getByRole('button', { name: 'Force shutdown' })
  await expect(confirm).toBeDisabled()
  await dialog.getByRole('textbox').fill(name)
  await confirm.click()
  await expect(vms.powerState(name)).toHaveText('Halted')
})
