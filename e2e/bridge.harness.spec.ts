// What crosses the bridge, as the browser harness records it (fixtures.ts `traffic`): only the
// chromium project runs this (playwright.config.ts); under Electron nothing records the IPC.
import { expect, test } from './fixtures'
import { ShellPage } from './pages/shell-page'

test('the app details shown are what main answered to app.info through the router', async ({
  xo,
}) => {
  const shell = new ShellPage(xo.page)
  await shell.showDetails.click()
  const shown = await shell.version.textContent()
  const answers = xo.traffic.filter((r) => r.direction === 'result' && r.name === 'app.info')
  expect(answers.length).toBeGreaterThan(0)
  expect(answers.at(-1)?.payload).toMatchObject({ ok: true, value: { version: shown } })
})
