import { expect, test } from './fixtures'
import { AddInstancePage } from './pages/add-instance-page'
import { CertificatesPage } from './pages/certificates-page'
import { SettingsPage } from './pages/settings-page'
import { WelcomePage } from './pages/welcome-page'
import { generateCertificate, startSimulator, type RunningSimulator } from '../src-main/simulator'

// An admin renames a saved instance and changes its environment, then checks its certificate.
// Harness-only: the instance is a simulator over TLS started here, and under Electron it would
// go to the real settings folder and keychain.
const sims: RunningSimulator[] = []
test.afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

test('renaming an instance and changing its environment shows at once, and its certificate is shown as pinned and presented', async ({
  xo,
}) => {
  const cert = await generateCertificate()
  const sim = await startSimulator({ tls: cert, seed: 'e2e-settings', life: false, vms: 5 })
  sims.push(sim)
  const form = new AddInstancePage(xo.page)
  await form.open.click()
  await form.name.fill('Production')
  await form.address.fill(sim.url)
  await form.token.fill(sim.token)
  await form.add.click()
  await form.trust.click()
  const sidebar = new WelcomePage(xo.page)
  await expect(sidebar.instance('Production')).toContainText('Live')

  const settings = new SettingsPage(xo.page)
  await settings.open('Production').click()
  await settings.name.fill('Prod EU')
  await settings.environment.fill('staging')
  await settings.save.click()

  await expect(sidebar.instance('Prod EU')).toContainText('Live')
  await expect(xo.page.getByTestId('environment-banner')).toHaveText('staging')
  await expect(xo.page.getByRole('heading', { name: 'Prod EU: VMs' })).toBeVisible()

  const certificates = new CertificatesPage(xo.page)
  await certificates.open.click()
  const entry = certificates.entry('Prod EU')
  await expect(entry.pinned).toHaveText(cert.fingerprint256)
  await expect(entry.presented).toHaveText(cert.fingerprint256)
  await expect(entry.system).toContainText('Do not vouch')
})
