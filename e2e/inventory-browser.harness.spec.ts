import { expect, test, type XoApp as XoFixture } from './fixtures'
import { DetailsPage } from './pages/details-page'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

// The inventory browser on the Demo lab, as an admin uses it. Harness-only: the assertions read
// the simulator's state, which the packaged app does not expose.

type Record = { [key: string]: unknown; id: string }
const store = (xo: XoFixture) => {
  const lab = xo.core?.demo.simulator?.lab
  if (!lab) throw new Error('no Demo lab')
  return lab.store
}
const list = (xo: XoFixture, collection: 'vms' | 'hosts' | 'vdis' | 'vbds' | 'vm-snapshots') =>
  [...store(xo).list(collection)] as Record[]

/** A running VM with a disk, on a host whose pool has another running host. */
function movableVm(xo: XoFixture): { vm: Record; host: Record; other: Record } {
  const hosts = list(xo, 'hosts').filter(
    (h) => h['power_state'] === 'Running' && h['enabled'] !== false,
  )
  for (const vm of list(xo, 'vms').sort((a, b) =>
    String(a['name_label']).localeCompare(String(b['name_label'])),
  )) {
    if (vm['power_state'] !== 'Running') continue
    const host = hosts.find((h) => h.id === vm['$container'])
    const other = hosts.find((h) => h.id !== host?.id && h['$pool'] === host?.['$pool'])
    const disks = (vm['$VBDs'] as string[] | undefined) ?? []
    if (host && other && disks.length > 0) return { vm, host, other }
  }
  throw new Error('no movable VM in the Demo lab')
}

async function openLab(xo: XoFixture): Promise<VmsPage> {
  const welcome = new WelcomePage(xo.page)
  await welcome.openDemo.click()
  await expect(welcome.instance('Demo lab')).toContainText('Live')
  return new VmsPage(xo.page)
}

test('finds a VM with a filter expression, then reaches its disk and its host through links', async ({
  xo,
}) => {
  const vms = await openLab(xo)
  const { vm, host } = movableVm(xo)
  const name = String(vm['name_label'])
  await vms.filter.fill(`power_state:Running name_label:"${name}"`)
  await expect(vms.count).toHaveText('1 VMs')
  await vms.row(name).getByRole('button', { name, exact: true }).click()

  const details = new DetailsPage(xo.page)
  await expect(details.heading).toHaveText(name)
  await details.tab('Related').click()
  const vbd = store(xo).get('vbds', ((vm['$VBDs'] as string[]) ?? [])[0] ?? '')
  const disk = store(xo).get('vdis', String(vbd?.['VDI']))
  const diskName = String(disk?.['name_label'])
  await details.related('Disks', diskName).click()
  await expect(details.heading).toHaveText(diskName)
  await expect(details.kind).toHaveText('VDI on Demo lab')

  await xo.page.getByRole('button', { name: 'Back', exact: true }).click()
  await expect(details.heading).toHaveText(name)
  await details.tab('Related').click()
  await details.related('Host', String(host['name_label'])).click()
  await expect(details.heading).toHaveText(String(host['name_label']))
  await expect(details.kind).toHaveText('Host on Demo lab')
})

test('adds a tag inline, and the VM row shows it', async ({ xo }) => {
  const vms = await openLab(xo)
  const { vm } = movableVm(xo)
  const name = String(vm['name_label'])
  await vms.filter.fill(`name_label:"${name}"`)
  await vms.row(name).getByRole('button', { name, exact: true }).click()
  const details = new DetailsPage(xo.page)
  await details.newTag.fill('maintenance-window')
  await details.newTag.press('Enter')
  await expect(details.tag('maintenance-window')).toBeVisible()
  expect(store(xo).get('vms', vm.id)?.['tags']).toContain('maintenance-window')

  await xo.page.keyboard.press('Alt+ArrowLeft')
  await expect(vms.row(name)).toContainText('maintenance-window')
})

test('takes a snapshot of a VM and sees it among its snapshots', async ({ xo }) => {
  const vms = await openLab(xo)
  const { vm } = movableVm(xo)
  const name = String(vm['name_label'])
  await vms.filter.fill(`name_label:"${name}"`)
  await vms.row(name).getByRole('button', { name, exact: true }).click()
  const details = new DetailsPage(xo.page)
  await details.action('Snapshot…').click()
  const dialog = xo.page.getByRole('dialog', { name: `Snapshot ${name}?` })
  await dialog.getByRole('textbox', { name: 'Snapshot name' }).fill(`${name} before upgrade`)
  await dialog.getByRole('button', { name: 'Snapshot', exact: true }).click()
  await expect(dialog).toBeHidden()

  await details.tab('Related').click()
  await expect(details.related('Snapshots', `${name} before upgrade`)).toBeVisible({
    timeout: 15_000,
  })
  const snapshot = list(xo, 'vm-snapshots').find(
    (s) => s['name_label'] === `${name} before upgrade`,
  )
  expect(snapshot?.['$snapshot_of']).toBe(vm.id)
})

test('migrates a VM to another host, and its row moves there', async ({ xo }) => {
  const vms = await openLab(xo)
  const { vm, host, other } = movableVm(xo)
  const name = String(vm['name_label'])
  await vms.filter.fill(`name_label:"${name}"`)
  await expect(vms.row(name)).toContainText(String(host['name_label']))
  await vms.row(name).getByRole('button', { name, exact: true }).click()
  const details = new DetailsPage(xo.page)
  await details.action('Migrate…').click()
  const dialog = xo.page.getByRole('dialog', { name: `Migrate ${name}?` })
  await dialog.getByRole('combobox', { name: 'Destination host' }).selectOption({
    label: String(other['name_label']),
  })
  // The same request as a command for a script: XO's route and body, the token left to the shell.
  await dialog.getByText('Copy as curl').click()
  const curl = dialog.getByTestId('action-curl')
  await expect(curl).toContainText(`/vms/${vm.id}/actions/migrate`)
  await expect(curl).toContainText(`"hostId":"${other.id}"`)
  await expect(curl).toContainText('$XO_TOKEN')
  await dialog.getByRole('button', { name: 'Migrate', exact: true }).click()
  await expect(dialog).toBeHidden()

  await xo.page.keyboard.press('Alt+ArrowLeft')
  await expect(vms.row(name)).toContainText(String(other['name_label']), { timeout: 15_000 })
  expect(store(xo).get('vms', vm.id)?.['$container']).toBe(other.id)
})

test('shuts down three VMs at once with one confirmation', async ({ xo }) => {
  const vms = await openLab(xo)
  await vms.filter.fill('power_state:Running')
  const running = list(xo, 'vms')
    .filter((v) => v['power_state'] === 'Running')
    .map((v) => String(v['name_label']))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }))
  const three = running.slice(0, 3)
  for (const name of three)
    await vms
      .row(name)
      .getByRole('checkbox', { name: `Select ${name}` })
      .check()
  const bulk = xo.page.getByRole('region', { name: 'Selected VMs' })
  await expect(bulk).toContainText('3 selected')
  await bulk.getByRole('button', { name: 'Shut down', exact: true }).click()

  const dialog = xo.page.getByRole('dialog', { name: 'Shut down 3 VMs?' })
  for (const name of three) await expect(dialog.getByText(name, { exact: true })).toBeVisible()
  await dialog.getByRole('button', { name: 'Shut down', exact: true }).click()
  await expect(xo.page.getByRole('dialog')).toHaveCount(0)

  await vms.filter.fill('')
  for (const name of three)
    await expect(vms.powerState(name)).toHaveText('Halted', { timeout: 15_000 })
  await xo.page.getByTestId('open-tasks').click()
  const tasks = xo.page.getByRole('table', { name: 'Tasks' })
  for (const name of three)
    await expect(tasks.getByRole('row', { name: `Shut down ${name}` })).toContainText('Done')
})

test('shows a running VM’s CPU and memory graphs in its stats tab', async ({ xo }) => {
  const vms = await openLab(xo)
  const { vm } = movableVm(xo)
  const name = String(vm['name_label'])
  await vms.filter.fill(`name_label:"${name}"`)
  await vms.row(name).getByRole('button', { name, exact: true }).click()
  const details = new DetailsPage(xo.page)
  await details.tab('Stats').click()
  const charts = xo.page.getByTestId('stats-chart')
  await expect(charts.first()).toBeVisible()
  await expect(xo.page.getByRole('figure', { name: /^CPU/ })).toBeVisible()
  await expect(xo.page.getByRole('figure', { name: /^Memory/ })).toBeVisible()
  await expect(
    xo.page.getByRole('figure', { name: /^CPU/ }).locator('canvas').first(),
  ).toBeVisible()
})

test('runs a backup job now from its details, and the Tasks panel shows it done', async ({
  xo,
}) => {
  await openLab(xo)
  await xo.page
    .getByRole('navigation', { name: 'Object types' })
    .getByRole('button', { name: /^Backup jobs/ })
    .click()
  const jobs = xo.page.getByRole('table', { name: 'Backup jobs' })
  await jobs.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('button').click()
  const details = new DetailsPage(xo.page)
  await details.tab('Related').click()
  const schedules = xo.page.getByRole('list', { name: 'Schedules' })
  await schedules.getByRole('button', { name: 'Run now' }).first().click()
  await xo.page.getByTestId('open-tasks').click()
  const task = xo.page.getByRole('table', { name: 'Tasks' }).getByRole('row', { name: /^Run now/ })
  await expect(task).toContainText('Done', { timeout: 15_000 })
})

test('a host’s missing patches say why XO does not list them without a licence', async ({ xo }) => {
  await openLab(xo)
  await xo.page
    .getByRole('navigation', { name: 'Object types' })
    .getByRole('button', { name: /^Hosts/ })
    .click()
  const hosts = xo.page.getByRole('table', { name: 'Hosts' })
  await hosts.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('button').click()
  await new DetailsPage(xo.page).tab('Missing patches').click()
  const alert = xo.page.getByRole('tabpanel').getByRole('alert')
  await expect(alert).toContainText('XOA licence')
  await expect(alert).toContainText('yum check-update')
})

test('after scrolling far down, a screen reader reads the VM rows in list order', async ({
  xo,
}) => {
  const vms = await openLab(xo)
  await expect(vms.table.getByRole('row').nth(5)).toBeVisible()
  // Far enough that every row element has been handed another VM at least once.
  await vms.table.locator('.body').evaluate((body) => (body.scrollTop = 120 * 34))
  await expect(vms.table.locator('[aria-rowindex="125"]')).toBeVisible()

  // The rows as the page lays them out, top to bottom.
  const shown = await vms.table.locator('.rows [role="row"]').evaluateAll((rows) =>
    rows
      .map((r) => ({
        name: r.getAttribute('aria-label'),
        index: Number(r.getAttribute('aria-rowindex')),
      }))
      .sort((a, b) => a.index - b.index)
      .map((r) => r.name),
  )
  // The rows as Chromium's accessibility tree gives them to a screen reader.
  const cdp = await xo.page.context().newCDPSession(xo.page)
  await cdp.send('Accessibility.enable')
  const read = async (): Promise<(string | undefined)[]> => {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: {
        nodeId: string
        role?: { value: string }
        name?: { value: string }
        childIds?: string[]
      }[]
    }
    const byId = new Map(nodes.map((n) => [n.nodeId, n]))
    const group = nodes.find(
      (n) =>
        n.role?.value === 'rowgroup' &&
        (n.childIds ?? []).some((c) => byId.get(c)?.role?.value === 'row'),
    )
    return (group?.childIds ?? [])
      .map((c) => byId.get(c))
      .filter((n) => n?.role?.value === 'row')
      .map((n) => n?.name?.value)
  }
  expect(shown.length).toBeGreaterThan(20)
  await expect.poll(read).toEqual(shown)
})

test('exports a VM from its row’s menu with the keyboard only', async ({ xo }) => {
  const vms = await openLab(xo)
  const vm = String(list(xo, 'vms').find((v) => v['power_state'] === 'Halted')?.['name_label'])
  await vms.filter.fill(`name_label:"${vm}"`)
  await expect(vms.row(vm)).toBeVisible()
  // The table is one Tab stop: Tab from a row leaves the table, not into the row's own buttons.
  await vms.row(vm).focus()
  await xo.page.keyboard.press('Tab')
  expect(
    await xo.page.evaluate(() => document.activeElement?.closest('[role="row"]') ?? null),
  ).toBeNull()
  await vms.row(vm).focus()
  await xo.page.keyboard.press('Shift+F10')
  await expect(xo.page.getByRole('menuitem').first()).toBeFocused()
  await xo.page.keyboard.press('ArrowUp') // wraps to the last item
  await expect(xo.page.getByRole('menuitem', { name: 'Export…' })).toBeFocused()
  await xo.page.keyboard.press('Enter')
  await expect(xo.page.getByRole('dialog', { name: /^Export / })).toBeVisible()
})

test('compact density fits more VM rows on the screen, and is kept in the settings', async ({
  xo,
}) => {
  const vms = await openLab(xo)
  const body = vms.table.locator('.body')
  await expect(vms.table.getByRole('row').nth(5)).toBeVisible()
  // Rows wholly inside the table's scrolled area.
  const inView = (): Promise<number> =>
    body.evaluate((el) => {
      const view = el.getBoundingClientRect()
      return [...el.querySelectorAll('[role="row"]')].filter((row) => {
        const r = row.getBoundingClientRect()
        return r.height > 0 && r.top >= view.top && r.bottom <= view.bottom
      }).length
    })
  const comfortable = await inView()
  await xo.page.getByRole('combobox', { name: 'Density' }).selectOption('compact')
  await expect.poll(inView).toBeGreaterThan(Math.floor(comfortable * 1.25))
  await expect
    .poll(async () => {
      const prefs = await xo.core?.dispatch('prefs.get', undefined, AbortSignal.timeout(5_000))
      return prefs?.ok ? (prefs.value as { density?: string }).density : undefined
    })
    .toBe('compact')
})
