import { describe, expect, it, vi } from 'vitest'
import { createAppCore } from '../app-core'

describe('app.openHelp', () => {
  const openExternal = vi.fn(async () => undefined)
  const { dispatch } = createAppCore({
    appInfo: {
      name: 'XO Desk',
      version: '0',
      platform: 'linux',
      arch: 'x64',
      runtime: { node: '24' },
    },
    openExternal,
    heartbeatMs: 0,
  })
  const signal = new AbortController().signal

  it('opens an allow-listed https help page in the system browser', async () => {
    expect(
      await dispatch('app.openHelp', { url: 'https://docs.xcp-ng.org/guides' }, signal),
    ).toEqual({ ok: true, value: undefined })
    expect(openExternal).toHaveBeenCalledWith('https://docs.xcp-ng.org/guides')
  })

  it('refuses any other URL and opens nothing', async () => {
    openExternal.mockClear()
    for (const url of [
      'file:///etc/passwd',
      'http://docs.xcp-ng.org/',
      'https://evil.example/',
      'javascript:alert(1)',
    ]) {
      expect(await dispatch('app.openHelp', { url }, signal)).toMatchObject({
        ok: false,
        error: { code: 'invalid-input' },
      })
    }
    expect(openExternal).not.toHaveBeenCalled()
  })
})
