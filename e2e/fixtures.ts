import { readFileSync } from 'node:fs'
import { test as base, _electron, type Page } from '@playwright/test'
import { createAppCore, type AppCore, type AppCoreOptions } from '../src-main/app-core'
import { electronBinary } from './electron-binary'
import { deliverEvents, exposeConsoles, exposeInvoke } from './harness/page-bridge'
import { RENDERER_DIR, SHIM_BUNDLE } from './harness/paths'
import { serveDirectory } from './harness/static-server'

/** One message that crossed the bridge, recorded for tests that inspect the traffic. */
export interface BridgeRecord {
  direction: 'invoke' | 'result' | 'event'
  name: string
  payload: unknown
}

export interface XoApp {
  page: Page
  /** The real main-process core behind the page (chromium harness only). */
  core: AppCore | undefined
  /** Every request, result and event that crossed the bridge (chromium harness only). */
  traffic: BridgeRecord[]
  /** URLs the app asked main to open in the system browser. */
  openedExternally: string[]
  /** Main's log lines of this session (chromium harness only). */
  logs: string[]
  /** Renderer routes main was asked to open a window on (a console's own window). */
  openedWindows: string[]
  /** A second window of the app on `route`, wired to the same core (chromium harness only). */
  openWindow(route: string): Promise<Page>
}

interface Options {
  appMode: 'chromium' | 'electron'
  /**
   * The core's config folder and keychain (chromium harness only), for a spec that starts with
   * instances saved; by default a throwaway folder, as a first start.
   */
  storage: AppCoreOptions['storage']
}

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

export const test = base.extend<Options & { xo: XoApp }, { renderer: { url: string } }>({
  appMode: ['chromium', { option: true }],
  storage: [undefined, { option: true }],

  renderer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
    async ({}, use) => {
      const server = await serveDirectory(RENDERER_DIR)
      await use({ url: server.url })
      await server.close()
    },
    { scope: 'worker' },
  ],

  xo: async ({ appMode, storage, page, renderer }, use) => {
    if (appMode === 'electron') {
      const app = await _electron.launch({ executablePath: electronBinary(), args: ['.'] })
      await use({
        page: await app.firstWindow(),
        core: undefined,
        traffic: [],
        openedExternally: [],
        logs: [],
        openedWindows: [],
        openWindow: () => Promise.reject(new Error('the packaged app opens its own windows')),
      })
      await app.close()
      return
    }

    const traffic: BridgeRecord[] = []
    const openedExternally: string[] = []
    const logs: string[] = []
    const openedWindows: string[] = []
    const core = createAppCore({
      openWindow: (route) => void openedWindows.push(route),
      log: (line) => void logs.push(line),
      appInfo: {
        name: 'XO Desk',
        version,
        platform: process.platform,
        arch: process.arch,
        runtime: { node: process.versions.node },
      },
      openExternal: async (url) => void openedExternally.push(url),
      heartbeatMs: 250,
      // Quiet and quick, so a journey sees its own clicks' effects and no colleague's.
      demoLab: { life: false, actionDelayMs: 800, seed: 'e2e' },
      ...(storage ? { storage } : {}),
    })
    // A window of the app: the page, its bridge to the core, main's events.
    const wire = async (window: Page, route = ''): Promise<() => void> => {
      await exposeInvoke(window, async (method, input) => {
        traffic.push({ direction: 'invoke', name: String(method), payload: input })
        const result = await core.dispatch(method, input, AbortSignal.timeout(120_000))
        traffic.push({ direction: 'result', name: String(method), payload: result })
        return result
      })
      await exposeConsoles(window, core.consoles)
      const stop = deliverEvents(window, core.hub, (name, payload) =>
        traffic.push({ direction: 'event', name, payload }),
      )
      await window.addInitScript({ path: SHIM_BUNDLE })
      await window.goto(route ? `${renderer.url}#${route}` : renderer.url)
      return stop
    }
    const unsubscribes = [await wire(page)]
    const openWindow = async (route: string): Promise<Page> => {
      const window = await page.context().newPage()
      unsubscribes.push(await wire(window, route))
      return window
    }

    await use({ page, core, traffic, openedExternally, logs, openedWindows, openWindow })

    for (const unsubscribe of unsubscribes) unsubscribe()
    await core.dispose()
  },
})

export const expect = test.expect
