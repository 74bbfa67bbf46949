import { describe, expect, it } from 'vitest'
import {
  RENDERER_CSP,
  isHelpLink,
  guardContents,
  guardSession,
  secureWebPreferences,
  windowOpenDecision,
  type GuardedContents,
  type GuardedSession,
} from './security'

/**
 * Stand-ins for Electron's WebContents and Session (Electron cannot run here): they record the
 * handlers the guards install, and `emit` reports whether the guard prevented the default.
 */
class FakeContents implements GuardedContents {
  readonly listeners = new Map<string, (e: { preventDefault(): void }, url: string) => void>()
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined
  on(event: string, listener: (e: { preventDefault(): void }, url: string) => void): this {
    this.listeners.set(event, listener)
    return this
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler
  }
  emit(event: string, url: string): boolean {
    let prevented = false
    this.listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url)
    return prevented
  }
  open(url: string): { action: string } | undefined {
    return this.openHandler?.({ url })
  }
}

class FakeSession implements GuardedSession {
  onRequest: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined
  onCheck: ((c: unknown, p: string) => boolean) | undefined
  setPermissionRequestHandler(
    handler: (c: unknown, p: string, cb: (granted: boolean) => void) => void,
  ): void {
    this.onRequest = handler
  }
  setPermissionCheckHandler(handler: (c: unknown, p: string) => boolean): void {
    this.onCheck = handler
  }
  request(permission: string): boolean | undefined {
    let granted: boolean | undefined
    this.onRequest?.({}, permission, (g) => (granted = g))
    return granted
  }
  check(permission: string): boolean | undefined {
    return this.onCheck?.({}, permission)
  }
}

describe('window security', () => {
  it('creates windows sandboxed, context-isolated, without Node and without webviews', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    })
  })

  it('refuses every navigation, redirect and webview of the window, whatever the URL', () => {
    const contents = new FakeContents()
    guardContents(contents, () => {})
    for (const url of [
      'https://xen-orchestra.com/',
      'file:///etc/passwd',
      'http://127.0.0.1:5173/',
    ]) {
      expect(contents.emit('will-navigate', url)).toBe(true)
      expect(contents.emit('will-redirect', url)).toBe(true)
    }
    expect(contents.emit('will-attach-webview', '')).toBe(true)
  })

  it('opens no window from window.open, and hands only help links to the system browser', () => {
    const contents = new FakeContents()
    const opened: string[] = []
    guardContents(contents, (url) => opened.push(url))
    expect(contents.open('https://docs.xen-orchestra.com/restapi')).toEqual({ action: 'deny' })
    expect(contents.open('https://evil.example/')).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://docs.xen-orchestra.com/restapi'])
  })

  it('denies every new window and sends only allow-listed https help links to the system browser', () => {
    expect(windowOpenDecision('https://docs.xen-orchestra.com/restapi')).toEqual({
      action: 'deny',
      openExternally: true,
    })
    expect(windowOpenDecision('http://docs.xen-orchestra.com/')).toEqual({
      action: 'deny',
      openExternally: false,
    })
    expect(windowOpenDecision('https://docs.xen-orchestra.com.evil.example/')).toEqual({
      action: 'deny',
      openExternally: false,
    })
    expect(windowOpenDecision('https://user:pw@github.com/')).toEqual({
      action: 'deny',
      openExternally: false,
    })
    expect(windowOpenDecision('https://github.com:8443/')).toEqual({
      action: 'deny',
      openExternally: false,
    })
    expect(isHelpLink('not a url')).toBe(false)
  })

  it('refuses every permission request and check of the session', () => {
    const session = new FakeSession()
    guardSession(session)
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
    ]) {
      expect(session.request(permission)).toBe(false)
      expect(session.check(permission)).toBe(false)
    }
  })

  it('lets the renderer reach no host: connect-src none, scripts only from the app', () => {
    expect(RENDERER_CSP).toContain("connect-src 'none'")
    expect(RENDERER_CSP).toContain("script-src 'self'")
    expect(RENDERER_CSP).toContain("default-src 'none'")
    expect(RENDERER_CSP).not.toContain('unsafe-eval')
  })
})
