import { describe, expect, it } from 'vitest'
import { isTrustedSender } from './trusted-sender'

describe('IPC sender check', () => {
  it('accepts IPC only from a trusted window main frame showing the app page', () => {
    const trusted = new Set([7])
    const app = 'file:///opt/xo-desk/resources/app.asar/out/renderer/index.html'
    const ok = { webContentsId: 7, isMainFrame: true, frameUrl: app }
    expect(isTrustedSender(ok, trusted, app)).toBe(true)
    expect(isTrustedSender({ ...ok, webContentsId: 8 }, trusted, app)).toBe(false)
    expect(isTrustedSender({ ...ok, isMainFrame: false }, trusted, app)).toBe(false)
    expect(isTrustedSender({ ...ok, frameUrl: 'https://evil.example/' }, trusted, app)).toBe(false)
  })
})
