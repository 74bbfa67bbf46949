/**
 * Window security as plain data and pure functions (Electron's security checklist), so each
 * rule is unit-tested without Electron. `main-window.ts` applies them.
 */

/** Hosts whose https pages may open in the system browser (help links). Nothing else opens. */
export const HELP_HOSTS: ReadonlySet<string> = new Set([
  'docs.xen-orchestra.com',
  'xen-orchestra.com',
  'docs.xcp-ng.org',
  'xcp-ng.org',
  'github.com',
])

/** `webPreferences` of every XO Desk window. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const
}

/** True for an https URL on an allow-listed help host, without credentials or an odd port. */
export function isHelpLink(raw: string): boolean {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    url.port === '' &&
    HELP_HOSTS.has(url.hostname)
  )
}

/** The app is a single page: it never navigates, whatever the URL. */
export function mayNavigate(_url: string): false {
  return false
}

/** What to do with `window.open` / target=_blank: never a new window; help links go to the browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isHelpLink(url) }
}

/** Camera, microphone, notifications, geolocation…: XO Desk needs none of them. */
export function mayGrantPermission(_permission: string): false {
  return false
}

/** Who sent an IPC message, reduced to what the trust check needs. */
export interface IpcSender {
  webContentsId: number
  /** True when the message comes from the window's top frame, not an iframe. */
  isMainFrame: boolean
  /** URL of the sending frame. */
  frameUrl: string
}

/**
 * Accept IPC only from a window XO Desk created, from its main frame, showing the app's own
 * page (Electron checklist: validate the sender of all IPC messages).
 */
export function isTrustedSender(
  sender: IpcSender,
  trustedIds: ReadonlySet<number>,
  appUrlPrefix: string,
): boolean {
  return (
    trustedIds.has(sender.webContentsId) &&
    sender.isMainFrame &&
    sender.frameUrl.startsWith(appUrlPrefix)
  )
}

/** The Content-Security-Policy of the built renderer: no remote host, no inline script, no socket. */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; object-src 'none'"
