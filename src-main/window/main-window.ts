import { BrowserWindow, shell } from 'electron'
import { mayNavigate, secureWebPreferences, windowOpenDecision } from './security'

/** The app's one window, locked down: no navigation, no new windows, no webviews. */
export function createMainWindow(preload: string): BrowserWindow {
  const win = new BrowserWindow({
    show: false,
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    title: 'XO Desk',
    webPreferences: secureWebPreferences(preload),
  })
  win.webContents.on('will-navigate', (e, url) => {
    if (!mayNavigate(url)) e.preventDefault()
  })
  win.webContents.on('will-redirect', (e, url) => {
    if (!mayNavigate(url)) e.preventDefault()
  })
  win.webContents.on('will-attach-webview', (e) => e.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url)
    if (decision.openExternally) void shell.openExternal(url)
    return { action: decision.action }
  })
  win.once('ready-to-show', () => win.show())
  return win
}
