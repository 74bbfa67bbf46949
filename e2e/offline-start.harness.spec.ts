import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InstanceSummary } from '../src-preload/contract'
import { createAppCore } from '../src-main/app-core'
import { generateCertificate, startSimulator } from '../src-main/simulator'
import { MemorySecretStore } from '../src-main/vault/keychain'
import { expect, test } from './fixtures'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'
import { TEST_CORE } from '../src-main/test-support/test-core'

// The app starts on a saved instance whose XO is down: its last known VMs show at once, from disk,
// marked stale, and actions are disabled. Harness-only: it prepares a config folder of its own.
const configDir = join(tmpdir(), `xo-desk-e2e-offline-${process.pid}`)
const secrets = new MemorySecretStore()
let halted = ''
let vmCount = 0

test.use({ storage: { configDir, secrets } })

test.beforeAll(async () => {
  // A first session: the admin adds their XO, the app reads it and quits, keeping its inventory.
  const cert = await generateCertificate()
  const sim = await startSimulator({ tls: cert, seed: 'e2e-offline', life: false, vms: 40 })
  const core = createAppCore({
    ...TEST_CORE,
    log: () => undefined,
    storage: { configDir, secrets },
  })
  try {
    const added = await core.dispatch(
      'instances.add',
      {
        name: 'Production',
        address: sim.url,
        trust: { kind: 'pinned', fingerprint256: cert.fingerprint256 },
        signIn: { method: 'token', token: sim.token },
      },
      AbortSignal.timeout(15_000),
    )
    if (!added.ok) throw new Error(added.error.message)
    const live = core.instances.get((added.value as InstanceSummary).id).live
    await live.stream.whenLive(AbortSignal.timeout(15_000))
    await live.ready()
    const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
    halted = String(vm?.['name_label'])
    vmCount = sim.lab.store.count('vms')
  } finally {
    await core.dispose()
    await sim.close() // XO is down from now on
  }
})
test.afterAll(() => rm(configDir, { recursive: true, force: true }))

test('starts on the last known VMs of an unreachable XO, marked stale, with actions disabled', async ({
  xo,
}) => {
  const vms = new VmsPage(xo.page)
  await expect(new WelcomePage(xo.page).instance('Production')).toContainText(
    'Offline · data from just now',
  )
  await expect(vms.count).toHaveText(`${vmCount} VMs`)
  await expect(vms.row(halted)).toBeVisible()
  await expect(xo.page.getByTestId('stale-notice')).toContainText('XO cannot be reached')
  await expect(xo.page.getByTestId('stale-notice')).toContainText('Actions are disabled')
  await expect(vms.action(halted, 'Start')).toBeDisabled()
})
