// The app's frame, in both projects (the browser harness and the real app): nothing here reads
// what only the harness records. What only Electron can show is in isolation.electron.spec.ts.
import { readFileSync } from 'node:fs'
import { expect, test } from './fixtures'
import { ShellPage } from './pages/shell-page'

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

// The renderer has no version of its own (nothing is injected at build time): the one it shows
// can only be main's answer to `app.info`. bridge.harness.spec.ts checks that answer on the wire.
test('clicking "Show app details" shows the version and platform of main', async ({ xo }) => {
  const shell = new ShellPage(xo.page)
  await shell.showDetails.click()
  await expect(shell.version).toHaveText(version)
  await expect(shell.platform).toContainText(process.platform)
})

test('the status bar shows that main is alive from its pushed heartbeat', async ({ xo }) => {
  const shell = new ShellPage(xo.page)
  // The real app beats every 5 s (createAppCore's default), the harness every 250 ms: wait for
  // more than one beat of the app before calling main silent.
  await expect(shell.heartbeat).toContainText('Main process alive', { timeout: 12_000 })
  await expect(shell.statusBar).toContainText(`XO Desk ${version}`)
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
