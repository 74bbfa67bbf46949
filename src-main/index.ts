// Electron lifecycle only: sandbox, single instance, the window and the wiring to the core.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, session, shell, type BrowserWindow } from 'electron'
import { createAppCore } from './app-core'
import { KeychainStore } from './vault/keychain'
import { bindWindow, registerConsoleHandler, registerInvokeHandler } from './ipc/electron-binding'
import { createMainWindow } from './window/main-window'
import { guardSession } from './window/security'
import { showTransfers } from './window/transfer-indicators'

app.enableSandbox()
if (!app.requestSingleInstanceLock()) app.quit()

void app.whenReady().then(() => {
  guardSession(session.defaultSession)

  const devUrl = process.env['ELECTRON_RENDERER_URL']
  const indexHtml = join(import.meta.dirname, '../renderer/index.html')
  const preload = join(import.meta.dirname, '../preload/index.cjs')
  // The renderer's page, on `route` (a console's own window: `#console/…`).
  const load = (win: BrowserWindow, route = ''): Promise<void> =>
    devUrl
      ? win.loadURL(route ? `${devUrl}#${route}` : devUrl)
      : win.loadFile(indexHtml, route ? { hash: route } : {})

  const core = createAppCore({
    openWindow: (route) => {
      const win = createMainWindow(preload, true)
      bindWindow(win.webContents, core.hub)
      void load(win, route)
    },
    appInfo: {
      name: app.getName(),
      version: app.getVersion(),
      platform: process.platform,
      arch: process.arch,
      runtime: {
        node: process.versions.node,
        electron: process.versions.electron,
        chrome: process.versions.chrome,
      },
    },
    openExternal: (url) => shell.openExternal(url),
    showItemInFolder: (path) => shell.showItemInFolder(path),
    // Exports land where the admin looks for documents, a folder per instance.
    libraryDir:
      process.env['XO_DESK_LIBRARY_DIR'] || join(app.getPath('documents'), 'XO Desk Library'),
    // The same folder the CLI reads (src-main/instances/config-dir.ts), and the OS keychain.
    storage: {
      configDir: process.env['XO_DESK_CONFIG_DIR'] || app.getPath('userData'),
      secrets: new KeychainStore(),
    },
  })

  registerInvokeHandler(core.dispatch, devUrl ?? pathToFileURL(indexHtml).href)
  registerConsoleHandler(core.consoles, devUrl ?? pathToFileURL(indexHtml).href)

  const win = createMainWindow(preload)
  bindWindow(win.webContents, core.hub)
  showTransfers(win, core.hub, core.transfers)
  void load(win)

  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  app.on('window-all-closed', () => {
    void core.dispose().then(() => app.quit())
  })
})
