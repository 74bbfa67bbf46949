import { readFileSync } from 'node:fs'
import { expect, test } from './fixtures'
import { ShellPage } from './pages/shell-page'

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

test('clicking "Show app details" shows the version that came from main through the router', async ({
  xo,
}) => {
  const shell = new ShellPage(xo.page)
  await shell.showDetails.click()
  await expect(shell.version).toHaveText(version)
  await expect(shell.platform).toContainText(process.platform)
  expect(
    xo.traffic.filter((r) => r.direction === 'invoke' && r.name === 'app.info').length,
  ).toBeGreaterThan(0)
})

test('the status bar shows that main is alive from its pushed heartbeat', async ({ xo }) => {
  const shell = new ShellPage(xo.page)
  await expect(shell.heartbeat).toContainText('Main process alive')
  await expect(shell.statusBar).toContainText(`XO Desk ${version}`)
})

test('the page exposes only the bridge: no ipcRenderer, process or require, and window.xo is frozen', async ({
  xo,
}) => {
  const exposed = await xo.page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>
    return {
      leaks: ['ipcRenderer', 'process', 'require', 'module', 'Buffer', 'global'].filter(
        (k) => k in w,
      ),
      bridgeKeys: Object.keys(w['xo'] as object).sort(),
      frozen: Object.isFrozen(w['xo']),
    }
  })
  expect(exposed).toEqual({ leaks: [], bridgeKeys: ['invoke', 'on'], frozen: true })
})

test('the built renderer cannot open a connection: its CSP blocks fetch to any host', async ({
  xo,
}) => {
  const violated = await xo.page.evaluate(async () => {
    const directives: string[] = []
    document.addEventListener('securitypolicyviolation', (e) =>
      directives.push(e.effectiveDirective),
    )
    await fetch('http://127.0.0.1:9/').catch(() => undefined)
    await new Promise((done) => setTimeout(done, 50))
    return directives
  })
  expect(violated).toContain('connect-src')
})

test('a request the contract does not know is refused with a readable error', async ({ xo }) => {
  const result = await xo.page.evaluate(() =>
    (window as unknown as { xo: { invoke(m: string, i: unknown): Promise<unknown> } }).xo.invoke(
      'fs.readFile',
      { path: '/etc/passwd' },
    ),
  )
  expect(result).toMatchObject({
    ok: false,
    error: { code: 'invalid-input', action: expect.stringMatching(/.+/) },
  })
})
