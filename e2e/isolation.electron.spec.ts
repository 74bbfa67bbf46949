// What context isolation and the sandbox give the real app: only the electron project runs this
// (playwright.config.ts). Plain Chromium never has Node's globals, so there it would prove nothing.
import { expect, test } from './fixtures'

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
  expect(exposed).toEqual({ leaks: [], bridgeKeys: ['invoke', 'on', 'pathForFile'], frozen: true })
})
