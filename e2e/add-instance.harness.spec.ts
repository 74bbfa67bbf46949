import { expect, test } from './fixtures'
import { AddInstancePage } from './pages/add-instance-page'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'
import {
  generateCertificate,
  startSimulator,
  type RunningSimulator,
  type SelfSignedCertificate,
} from '../src-main/simulator'

// An admin adds their own XO (here a simulator over TLS with a self-signed certificate made for
// the test), checks its fingerprint, trusts it and browses it. Harness-only: under Electron it
// would write to the real settings folder and keychain.
let sim: RunningSimulator
let cert: SelfSignedCertificate
test.beforeEach(async () => {
  cert = await generateCertificate()
  sim = await startSimulator({ tls: cert, seed: 'e2e-own-xo', life: false, vms: 40 })
})
test.afterEach(() => sim.close())

test('adds an XO with a self-signed certificate after showing its fingerprint, then lists its VMs', async ({
  xo,
}) => {
  const form = new AddInstancePage(xo.page)
  await form.open.click()
  await form.name.fill('Production')
  await form.address.fill(sim.url.replace('/rest/v0', ''))
  await form.token.fill(sim.token)
  await form.add.click()

  await expect(form.fingerprint).toHaveText(cert.fingerprint256)
  // Nothing reached the server before the admin said yes: only the TLS handshake.
  expect(sim.lab.requests).toEqual([])
  await form.trust.click()

  await expect(new WelcomePage(xo.page).instance('Production')).toContainText('Live')
  await expect(xo.page.getByTestId('environment-banner')).toHaveText('production')
  await expect(new VmsPage(xo.page).count).toHaveText(`${sim.lab.store.count('vms')} VMs`)
})

test('signs in with a user name and password, and tells a wrong password in words', async ({
  xo,
}) => {
  const form = new AddInstancePage(xo.page)
  await form.open.click()
  await form.name.fill('DR')
  await form.address.fill(sim.url)
  await form.usePassword.check()
  await form.user.fill('admin@admin.net')
  await form.password.fill('wrong')
  await form.add.click()
  await form.trust.click()
  await expect(form.error).toContainText('did not accept this user name and password')
  expect(xo.core?.connections.configs).toEqual([])

  await form.password.fill('admin')
  // XO refuses a sign-in less than 2 s after a failed one, and says so; the admin tries again.
  await expect(async () => {
    await form.add.click()
    await form.trust.click()
    await expect(new WelcomePage(xo.page).instance('DR')).toBeVisible({ timeout: 1000 })
  }).toPass({ intervals: [1000, 1000, 1000] })
  await expect(new WelcomePage(xo.page).instance('DR')).toContainText('Live', { timeout: 15_000 })
  // The password never reached main's log, and no token went back to the page.
  expect(xo.logs.join('\n')).not.toContain('admin"')
  const results = xo.traffic.filter((r) => r.direction !== 'invoke')
  for (const token of sim.lab.auth.tokens.keys()) {
    expect(JSON.stringify(results)).not.toContain(token)
  }
})
