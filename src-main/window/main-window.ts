import { BrowserWindow, shell } from 'electron'
import { guardContents, secureWebPreferences } from './security'

/**
 * An app window, locked down: no navigation, no new windows, no webviews. The main one, or a
 * console's own (`small`), which the renderer fills with that console only.
 */
export function createMainWindow(preload: string, small = false): BrowserWindow {
  const win = new BrowserWindow({
    show: false,
    width: small ? 1040 : 1280,
    height: small ? 820 : 800,
    minWidth: small ? 480 : 800,
    minHeight: small ? 360 : 500,
    title: 'XO Desk',
    webPreferences: secureWebPreferences(preload),
  })
  guardContents(win.webContents, (url) => void shell.openExternal(url))
  win.once('ready-to-show', () => win.show())
  return win
}
