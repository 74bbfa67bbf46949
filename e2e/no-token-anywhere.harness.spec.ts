import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateCertificate, startSimulator, type RunningSimulator } from '../src-main/simulator'
import { MemorySecretStore } from '../src-main/vault/keychain'
import { expect, test } from './fixtures'
import { AddInstancePage } from './pages/add-instance-page'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

// A whole session: the Demo lab, an XO added by password (main gets its token), a VM started, a
// sign-in again after the token expired. Then every log line, every IPC message main sent to the
// page and every file written in the config folder is searched for every token the servers
// issued: none may appear. (Harness-only: it records IPC and owns its config folder.)
const configDir = mkdtempSync(join(tmpdir(), 'xo-desk-e2e-tokens-'))
const secrets = new MemorySecretStore()
let sim: RunningSimulator
test.use({ storage: { configDir, secrets } })
test.beforeEach(async () => {
  sim = await startSimulator({
    tls: await generateCertificate(),
    seed: 'e2e-tokens',
    life: false,
    actionDelayMs: 200,
    vms: 20,
  })
})
test.afterEach(() => sim.close())
test.afterAll(() => rmSync(configDir, { recursive: true, force: true }))

function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name)
      return { path, text: readFileSync(path, 'latin1') }
    })
}

test('no token appears in main’s log, in what main sent the page, or in any file it wrote', async ({
  xo,
}) => {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')

  const form = new AddInstancePage(xo.page)
  await form.open.click()
  await form.name.fill('Production')
  await form.address.fill(sim.url)
  await form.usePassword.check()
  await form.user.fill('admin@admin.net')
  await form.password.fill('admin')
  await form.add.click()
  await form.trust.click()
  await expect(welcome.instance('Production')).toContainText('Live')

  const vms = new VmsPage(xo.page)
  const halted = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
  const name = String(halted?.['name_label'])
  await vms.filter.fill(name)
  await vms.action(name, 'Start').click()
  await expect(vms.powerState(name)).toHaveText('Running')

  // The token expires on the server: sign in again, which issues another one.
  for (const id of sim.lab.auth.tokens.keys()) if (id !== sim.token) sim.lab.auth.expire(id)
  sim.dropConnections()
  await expect(xo.page.getByRole('heading', { name: 'Sign in to Production again' })).toBeVisible({
    timeout: 15_000,
  })
  await xo.page.getByLabel('User name and password').check()
  await xo.page.getByLabel('User name', { exact: true }).fill('admin@admin.net')
  await xo.page.getByLabel('Password', { exact: true }).fill('admin')
  await xo.page.getByRole('button', { name: 'Sign in again' }).click()
  await expect(welcome.instance('Production')).toContainText('Live')
  await xo.core?.dispose() // flush snapshots and logs to disk before reading them

  const tokens = [
    ...sim.lab.auth.tokens.keys(),
    ...(xo.core?.demo.simulator ? [xo.core.demo.simulator.token] : []),
  ]
  // The issued tokens (expired ones are gone from the server's map, but the live one is there).
  expect(tokens.length).toBeGreaterThanOrEqual(2)
  const fromMain = JSON.stringify(xo.traffic.filter((r) => r.direction !== 'invoke'))
  const files = filesUnder(configDir)
  expect(files.map((f) => f.path).some((p) => p.endsWith('instances.json'))).toBe(true)
  for (const token of tokens) {
    expect(xo.logs.filter((line) => line.includes(token))).toEqual([])
    expect(fromMain.includes(token)).toBe(false)
    expect(files.filter((f) => f.text.includes(token)).map((f) => f.path)).toEqual([])
  }
  // The password went to main once, in the form's request, and never came back.
  expect(fromMain.includes('"password"')).toBe(false)
})
