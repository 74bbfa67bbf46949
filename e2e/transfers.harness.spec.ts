import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type XoApp } from './fixtures'
import { TransfersPage } from './pages/transfers-page'
import { VmsPage } from './pages/vms-page'
import { WelcomePage } from './pages/welcome-page'

/** A halted VM of the Demo lab and the name of a pool it is not in, from the simulator. */
function labFacts(xo: XoApp): { vm: string; pool: string; otherPool: string } {
  const store = xo.core?.demo.simulator?.lab.store
  const vm = [...(store?.list('vms') ?? [])].find((v) => v['power_state'] === 'Halted')
  const other = [...(store?.list('pools') ?? [])].find((p) => p.id !== vm?.['$pool'])
  if (!vm || !other) throw new Error('the Demo lab needs a halted VM and two pools')
  return {
    vm: String(vm['name_label']),
    pool: String(vm['$pool']),
    otherPool: String(other['name_label']),
  }
}

/** Drops a file on the window as a file manager would (the harness maps it to `folder`). */
async function dropFile(xo: XoApp, folder: string, name: string): Promise<void> {
  await xo.page.evaluate(
    ([dir, file]) => {
      ;(window as unknown as { __xoDropFolder: string }).__xoDropFolder = dir
      const data = new DataTransfer()
      data.items.add(new File([new Uint8Array(512)], file))
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }))
    },
    [folder, name] as const,
  )
}

test.describe('transfers and the library', () => {
  test('exports a Demo lab VM with a moving progress bar, verifies it in the Library, imports it into another pool, and refuses a corrupt dropped file', async ({
    xo,
  }) => {
    test.setTimeout(120_000)
    const welcome = new WelcomePage(xo.page)
    await welcome.openDemo.click()
    await expect(welcome.instance('Demo lab')).toContainText('Live')
    const { vm, otherPool } = labFacts(xo)
    const page = new TransfersPage(xo.page)

    // A bandwidth limit, so the export lasts long enough to watch its bar fill.
    await page.openTransfers.click()
    await page.limit.fill('2')
    await page.limit.press('Enter')
    await expect.poll(() => xo.core?.transfers.settings.bandwidthLimit).toBe(2 * 1024 * 1024)
    await page.openTransfers.click()

    const vms = new VmsPage(xo.page)
    await vms.filter.fill(`name_label:"${vm}"`)
    await vms.action(vm, 'Export…').click()
    await page.exportDialog.getByRole('combobox', { name: 'Compression' }).selectOption('none')
    await page.exportDialog.getByRole('button', { name: 'Export the VM' }).click()
    await expect(page.exportDialog.getByTestId('export-queued')).toContainText(vm)
    await page.exportDialog.getByRole('button', { name: 'Close' }).click()

    await page.openTransfers.click()
    const row = page.transfer('Export', vm)
    const bar = row.getByRole('progressbar')
    const bytes = async (): Promise<number> => Number(await bar.getAttribute('data-bytes'))
    await expect.poll(bytes).toBeGreaterThan(0)
    const seen = await bytes()
    await expect.poll(bytes).toBeGreaterThan(seen)
    await expect(row.getByTestId('transfer-state')).toContainText('Running')
    await expect(row.getByTestId('transfer-state')).toContainText('Done', { timeout: 60_000 })

    await page.openLibrary.click()
    const file = page.libraryFile(new RegExp(`^${vm} .*\\.xva$`))
    await expect(file.getByTestId('library-contents')).toContainText(`VM ${vm}`)
    await expect(file.getByTestId('library-checksum')).toContainText('not verified')
    await file.getByRole('button', { name: 'Verify' }).click()
    await expect(file.getByTestId('library-checksum')).toContainText(/^verified/)

    const before = xo.core?.demo.simulator?.lab.store.count('vms') ?? 0
    await file.getByRole('button', { name: 'Import…' }).click()
    const sr = page.importDialog.getByRole('combobox', { name: 'Storage repository' })
    const target = await sr
      .locator('option:not([disabled])', { hasText: `${otherPool} / ` })
      .first()
      .getAttribute('value')
    await sr.selectOption(target ?? '')
    await page.importDialog.getByRole('button', { name: 'Import', exact: true }).click()
    const imported = page.transfer('Import', '.*')
    await expect(imported.getByTestId('transfer-state')).toContainText('Done', { timeout: 60_000 })
    const store = xo.core?.demo.simulator?.lab.store
    expect(store?.count('vms')).toBe(before + 1)
    const copy = [...(store?.list('vms') ?? [])].find(
      (v) => v['name_label'] === vm && v['$pool'] !== labFacts(xo).pool,
    )
    expect(copy, 'the imported VM is in the other pool').toBeDefined()

    // A VHD whose footer is garbage: refused with where, and nothing sent.
    const folder = mkdtempSync(join(tmpdir(), 'xo-desk-drop-'))
    writeFileSync(join(folder, 'damaged.vhd'), Buffer.alloc(4 * 512, 0x41))
    const imports = (): number =>
      xo.traffic.filter((t) => t.direction === 'invoke' && t.name === 'transfers.import').length
    const importsBefore = imports()
    await dropFile(xo, folder, 'damaged.vhd')
    const refused = xo.page.getByRole('dialog', { name: 'damaged.vhd cannot be imported' })
    await expect(refused.getByRole('alert')).toContainText(/footer/)
    await expect(refused).toContainText('Nothing was sent')
    expect(imports()).toBe(importsBefore)
  })
})
