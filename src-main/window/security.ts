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

/** What to do with `window.open` / target=_blank: never a new window; help links go to the browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isHelpLink(url) }
}

/**
 * The parts of Electron's `WebContents` the guards use, typed structurally so that this file
 * stays free of Electron and the guards can be tested without it.
 */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (e: { preventDefault(): void }, url: string) => void,
  ): unknown
  on(event: 'will-attach-webview', listener: (e: { preventDefault(): void }) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

/**
 * Locks a window's page in place: the app is a single page, so every navigation, redirect and
 * webview is refused; `window.open` never opens a window, and help links go to the system browser.
 */
export function guardContents(
  contents: GuardedContents,
  openExternal: (url: string) => void,
): void {
  contents.on('will-navigate', (e) => e.preventDefault())
  contents.on('will-redirect', (e) => e.preventDefault())
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url)
    if (decision.openExternally) openExternal(url)
    return { action: decision.action }
  })
}

/** The permission hooks of Electron's `Session`, typed structurally (see {@link GuardedContents}). */
export interface GuardedSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void
}

/** Camera, microphone, notifications, geolocation…: XO Desk needs none, so every request is refused. */
export function guardSession(session: GuardedSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

/** The Content-Security-Policy of the built renderer: no remote host, no inline script, no socket. */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; object-src 'none'"
