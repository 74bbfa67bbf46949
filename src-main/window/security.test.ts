import { describe, expect, it } from 'vitest'
import {
  RENDERER_CSP,
  isHelpLink,
  isTrustedSender,
  mayGrantPermission,
  mayNavigate,
  secureWebPreferences,
  windowOpenDecision,
} from './security'

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

  it('never navigates the window, whatever the URL', () => {
    for (const url of [
      'https://xen-orchestra.com/',
      'file:///etc/passwd',
      'http://127.0.0.1:5173/',
    ]) {
      expect(mayNavigate(url)).toBe(false)
    }
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

  it('denies every permission request', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
    ]) {
      expect(mayGrantPermission(permission)).toBe(false)
    }
  })

  it('accepts IPC only from a trusted window main frame showing the app page', () => {
    const trusted = new Set([7])
    const app = 'file:///opt/xo-desk/resources/app.asar/out/renderer/index.html'
    const ok = { webContentsId: 7, isMainFrame: true, frameUrl: app }
    expect(isTrustedSender(ok, trusted, app)).toBe(true)
    expect(isTrustedSender({ ...ok, webContentsId: 8 }, trusted, app)).toBe(false)
    expect(isTrustedSender({ ...ok, isMainFrame: false }, trusted, app)).toBe(false)
    expect(isTrustedSender({ ...ok, frameUrl: 'https://evil.example/' }, trusted, app)).toBe(false)
  })

  it('lets the renderer reach no host: connect-src none, scripts only from the app', () => {
    expect(RENDERER_CSP).toContain("connect-src 'none'")
    expect(RENDERER_CSP).toContain("script-src 'self'")
    expect(RENDERER_CSP).toContain("default-src 'none'")
    expect(RENDERER_CSP).not.toContain('unsafe-eval')
  })
})
