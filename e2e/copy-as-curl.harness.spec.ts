import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, test } from './fixtures'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

test('copies a filtered VM list as curl; run with $XO_TOKEN against the Demo lab, it gives the same VMs', async ({
  xo,
}) => {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')
  const vms = new VmsPage(xo.page)
  const filter = 'power_state:Running'
  await vms.filter.fill(filter)
  const lab = xo.core?.demo.simulator
  const running = [...(lab?.lab.store.list('vms') ?? [])].filter(
    (v) => v['power_state'] === 'Running',
  )
  await expect(vms.count).toHaveText(`${running.length} VMs`)

  await xo.page.getByRole('button', { name: 'Copy as curl…' }).click()
  const dialog = xo.page.getByRole('dialog', { name: 'This list as a command' })
  const command = (await dialog.getByTestId('curl-command').textContent()) ?? ''
  expect(command).toContain('$XO_TOKEN')
  expect(command).not.toContain(lab?.token ?? 'no token')
  await expect(dialog.getByTestId('cli-command')).toHaveText(
    /^xo-desk ls vms --instance 'Demo lab'/,
  )

  // Not execFileSync: the Demo lab answers from this very process.
  const { stdout: out } = await promisify(execFile)('bash', ['-c', command], {
    env: { ...process.env, XO_TOKEN: lab?.token ?? '' },
  })
  const fetched = (JSON.parse(out) as { id: string }[]).map((v) => v.id).sort()
  expect(fetched).toEqual(running.map((v) => v.id).sort())
})
