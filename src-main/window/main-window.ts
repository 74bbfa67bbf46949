import { BrowserWindow, shell } from 'electron'
import { guardContents, secureWebPreferences } from './security'

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
  guardContents(win.webContents, (url) => void shell.openExternal(url))
  win.once('ready-to-show', () => win.show())
  return win
}
