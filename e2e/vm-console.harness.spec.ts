import { expect, test, type XoApp } from './fixtures'
import { DetailsPage } from './pages/details-page'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

// A VM's console on the Demo lab: noVNC in the page, main relaying the simulator's RFB server
// behind XO's console proxy. Harness-only: the assertions read what the simulator received.

type Vm = { id: string; name_label: string; power_state: string }
const lab = (xo: XoApp) => {
  const sim = xo.core?.demo.simulator
  if (!sim) throw new Error('no Demo lab')
  return sim
}
const vmIn = (xo: XoApp, state: string): Vm => {
  const vm = ([...lab(xo).lab.store.list('vms')] as unknown as Vm[])
    .filter((v) => v.power_state === state)
    .sort((a, b) => a.name_label.localeCompare(b.name_label))[0]
  if (!vm) throw new Error(`no ${state} VM in the Demo lab`)
  return vm
}

/** Opens the Demo lab, then the console of its first VM in `state` (by name). */
async function openConsole(xo: XoApp, state: string): Promise<Vm> {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')
  const vm = vmIn(xo, state)
  const vms = new VmsPage(xo.page)
  await vms.filter.fill(`name_label:"${vm.name_label}"`)
  await vms.row(vm.name_label).getByRole('button', { name: vm.name_label, exact: true }).click()
  const details = new DetailsPage(xo.page)
  await expect(details.heading).toHaveText(vm.name_label)
  await details.tab('Console').click()
  return vm
}

/** The share of the console canvas's pixels equal to the simulator's own frame of that VM. */
async function sameAsSimulator(xo: XoApp, vmId: string): Promise<number> {
  const frame = lab(xo).consoles.frame(vmId)
  if (!frame) return 0
  // Compared in the page: the frame goes there once as base64 (its pixels as numbers are slow).
  return xo.page.locator('[data-testid="console-screen"] canvas').evaluate(
    (c, { width, height, base64 }) => {
      const canvas = c as HTMLCanvasElement
      if (canvas.width !== width || canvas.height !== height) return 0
      const shown = canvas.getContext('2d')?.getImageData(0, 0, width, height).data
      if (!shown) return 0
      const expected = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0))
      let same = 0
      for (let i = 0; i < expected.length; i += 4)
        if (
          shown[i] === expected[i] &&
          shown[i + 1] === expected[i + 1] &&
          shown[i + 2] === expected[i + 2]
        )
          same++
      return same / (width * height)
    },
    {
      width: frame.width,
      height: frame.height,
      base64: Buffer.from(frame.rgba).toString('base64'),
    },
  )
}

test('shows a running VM’s screen, and the VM receives the text typed and Ctrl+Alt+Del', async ({
  xo,
}) => {
  const sockets: string[] = []
  xo.page.on('websocket', (ws) => sockets.push(ws.url()))
  await xo.page.evaluate(() => {
    const w = window as unknown as { __csp: string[] }
    w.__csp = []
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(e.violatedDirective))
  })
  const vm = await openConsole(xo, 'Running')
  await expect(xo.page.getByTestId('console-state')).toHaveText('Connected')
  // What the page shows is the simulator's screen of that VM, pixel for pixel.
  await expect.poll(() => sameAsSimulator(xo, vm.id)).toBeGreaterThan(0.999)

  await xo.page.locator('[data-testid="console-screen"] canvas').click({ position: { x: 5, y: 5 } })
  // Keys go to the VM while the console has the focus, even those that are the app's shortcuts.
  await xo.page.keyboard.type('root?')
  await expect.poll(() => lab(xo).consoles.report(vm.id).typed).toContain('root?')
  await expect(xo.page.getByRole('dialog', { name: /shortcuts/i })).toHaveCount(0)
  await expect.poll(() => sameAsSimulator(xo, vm.id)).toBeGreaterThan(0.999)

  await xo.page.getByRole('button', { name: 'Send keys' }).click()
  await xo.page.getByRole('menuitem', { name: 'Ctrl+Alt+Del' }).click()
  await expect.poll(() => lab(xo).consoles.report(vm.id).combos).toContain('Ctrl+Alt+Del')

  // The page opened no socket and broke no rule of its CSP: main relayed everything.
  expect(sockets).toEqual([])
  expect(await xo.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([])
})

test('a halted VM’s console says it is halted and what to do, instead of a blank screen', async ({
  xo,
}) => {
  const vm = await openConsole(xo, 'Halted')
  const notice = xo.page.getByRole('alert')
  await expect(notice).toContainText(`${vm.name_label} is halted`)
  await expect(notice).toContainText(`Start ${vm.name_label}, then open its console again.`)
  await expect(xo.page.getByTestId('console-screen')).toBeHidden()
})

test('opening a console is written in the audit log', async ({ xo }) => {
  const vm = await openConsole(xo, 'Running')
  await expect(xo.page.getByTestId('console-state')).toHaveText('Connected')
  await expect
    .poll(async () =>
      (await xo.core?.audit.list())?.some(
        (e) => e.action === 'console.open' && e.object.id === vm.id && e.outcome === 'succeeded',
      ),
    )
    .toBe(true)
})

test('opens the console again by itself when the VM restarts', async ({ xo }) => {
  const vm = await openConsole(xo, 'Running')
  const state = xo.page.getByTestId('console-state')
  await expect(state).toHaveText('Connected')
  // What a reboot does to XO's console proxy: the socket ends.
  lab(xo).consoles.closeAll(vm.id)
  await expect(state).toHaveText('Reconnecting when the VM runs again…')
  await expect(state).toHaveText('Connected', { timeout: 15_000 })
  await expect.poll(() => sameAsSimulator(xo, vm.id)).toBeGreaterThan(0.999)
  expect(lab(xo).consoles.report(vm.id).sessions).toBe(2)
})

test('moves the console to a window of its own, where it shows the same screen', async ({ xo }) => {
  const vm = await openConsole(xo, 'Running')
  await expect(xo.page.getByTestId('console-state')).toHaveText('Connected')
  await xo.page.getByRole('button', { name: 'Open in a window' }).click()
  await expect(xo.page.getByText('This console is shown in its own window.')).toBeVisible()
  await expect.poll(() => lab(xo).consoles.open(vm.id)).toBe(0)

  expect(xo.openedWindows).toHaveLength(1)
  const window = await xo.openWindow(xo.openedWindows[0] ?? '')
  await expect(window.getByTestId('console-state')).toHaveText('Connected')
  await expect(window.getByRole('region', { name: `Console of ${vm.name_label}` })).toBeVisible()
  await expect(window.getByRole('button', { name: 'Open in a window' })).toHaveCount(0)
  await window.locator('[data-testid="console-screen"] canvas').click({ position: { x: 5, y: 5 } })
  await window.keyboard.type('ls')
  await expect.poll(() => lab(xo).consoles.report(vm.id).typed).toContain('ls')
})
