import type { AppError } from '@contract'
import { toXoAppError } from '../src-main/xo/errors'
import { expect, test, type XoApp } from './fixtures'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

/** A halted VM of the Demo lab, by name, straight from the simulator (the test's view of XO). */
function haltedVmName(xo: XoApp, skip = 0): string {
  const lab = xo.core?.demo.simulator?.lab
  const vm = [...(lab?.store.list('vms') ?? [])].filter((v) => v['power_state'] === 'Halted')[skip]
  if (!vm) throw new Error('the Demo lab has no halted VM')
  return String(vm['name_label'])
}

/** The id of a Demo lab VM, by name. */
function vmId(xo: XoApp, name: string): string {
  const vm = [...(xo.core?.demo.simulator?.lab.store.list('vms') ?? [])].find(
    (v) => v['name_label'] === name,
  )
  if (!vm) throw new Error(`the Demo lab has no VM named ${name}`)
  return vm.id
}

/** What XO Desk's REST client says when it asks for this action now, in its own error table's words. */
async function clientFailure(xo: XoApp, id: string, action: string): Promise<AppError> {
  const { client } = xo.core?.instances.get('demo') ?? {}
  if (!client) throw new Error('the Demo lab is not open')
  const failure = await client.action('vms', id, action, {}, AbortSignal.timeout(10_000)).then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(failure, `${action} should have failed`).toBeDefined()
  return toXoAppError(failure, { host: client.host, credentials: 'token' })
}

test.describe('the Demo lab', () => {
  test('opens from a fresh start and lists its VMs, live', async ({ xo }) => {
    const welcome = new WelcomePage(xo.page)
    await welcome.openDemo.click()
    await expect(welcome.instance('Demo lab')).toContainText('Live')
    const vms = new VmsPage(xo.page)
    const total = xo.core?.demo.simulator?.lab.store.count('vms') ?? 0
    await expect(vms.count).toHaveText(`${total} VMs`)
    await expect(vms.table.getByRole('row')).not.toHaveCount(0)
  })

  test('starts a halted VM and shows it Running through the event stream, without re-reading XO', async ({
    xo,
  }) => {
    await new WelcomePage(xo.page).openDemo.click()
    const vms = new VmsPage(xo.page)
    const name = haltedVmName(xo)
    // The list draws the rows in view: the VM is found by its name, as an admin would.
    await vms.filter.fill(`power_state:Halted name_label:"${name}"`)
    await expect(vms.powerState(name)).toHaveText('Halted')
    await vms.filter.fill(`name_label:"${name}"`)
    await expect(vms.row(name)).toBeVisible()

    const sim = xo.core?.demo.simulator?.lab
    const readsBefore = sim?.requests.filter((r) => r.startsWith('GET /vms')).length
    await vms.action(name, 'Start').click()
    await expect(vms.row(name).getByRole('status')).toContainText('Starting…')
    await expect(vms.powerState(name)).toHaveText('Running')
    // The change came by the event stream: XO's VM list was not read again.
    expect(sim?.requests.filter((r) => r.startsWith('GET /vms')).length).toBe(readsBefore)
    await expect(vms.action(name, 'Shut down')).toBeVisible()
  })

  test('shows what happened and what to do when XO fails an action', async ({ xo }) => {
    await new WelcomePage(xo.page).openDemo.click()
    const vms = new VmsPage(xo.page)
    const name = haltedVmName(xo, 1)
    await vms.filter.fill(`name_label:"${name}"`)
    xo.core?.demo.simulator?.faults.add({
      method: 'POST',
      path: '/vms/*/actions/*',
      fault: { kind: 'status', status: 500 },
    })
    await vms.action(name, 'Start').click()
    // XO's 500 explained by the client, prefixed with which VM and action failed (vm-actions.ts).
    const explained = await clientFailure(xo, vmId(xo, name), 'start')
    const alert = xo.page.getByRole('alert')
    await expect(alert.locator('.what')).toHaveText(`Could not start ${name}: ${explained.message}`)
    await expect(alert.locator('.next')).toHaveText(explained.action)
    await expect(vms.powerState(name)).toHaveText('Halted')
  })

  test('never lets a token reach the renderer', async ({ xo }) => {
    await new WelcomePage(xo.page).openDemo.click()
    const vms = new VmsPage(xo.page)
    await expect(vms.table.getByRole('row')).not.toHaveCount(0)
    const name = haltedVmName(xo)
    await vms.filter.fill(`name_label:"${name}"`)
    await vms.action(name, 'Start').click()
    await expect(vms.powerState(name)).toHaveText('Running')
    const token = xo.core?.demo.simulator?.token
    expect(token).toBeTruthy()
    expect(xo.traffic.length).toBeGreaterThan(5)
    expect(JSON.stringify(xo.traffic)).not.toContain(token)
    const html = await xo.page.content()
    expect(html).not.toContain(token)
    // Main's log of the session names the lab, the VM and the task, but never the token.
    expect(xo.logs.join('\n')).toContain(`start ${name}`)
    expect(xo.logs.join('\n')).not.toContain(token)
  })

  test('resets to a fresh lab from the sidebar, undoing what was changed', async ({ xo }) => {
    await new WelcomePage(xo.page).openDemo.click()
    const vms = new VmsPage(xo.page)
    const name = haltedVmName(xo)
    await vms.filter.fill(`name_label:"${name}"`)
    await vms.action(name, 'Start').click()
    await expect(vms.powerState(name)).toHaveText('Running')
    await xo.page.getByRole('button', { name: 'Reset the Demo lab' }).click()
    await expect(vms.powerState(name)).toHaveText('Halted')
    await expect(new WelcomePage(xo.page).instance('Demo lab')).toContainText('Live')
  })
})
