import { describe, expect, it, vi } from 'vitest'
import { createAppCore } from '../app-core'
import { TEST_CORE } from '../test-support/test-core'

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

describe('inventory.page', () => {
  it('shows the first VM, host and pool pages of a just-opened lab from one read of each list', async () => {
    const core = createAppCore({
      ...TEST_CORE,
      demoLab: { life: false, seed: 'handlers-test' },
      log: () => undefined,
    })
    try {
      const signal = AbortSignal.timeout(30_000)
      expect(await core.dispatch('demo.open', undefined, signal)).toMatchObject({ ok: true })
      expect(core.instances.get('demo').live.cache.synced).toBe(false)
      const asked = [
        { collection: 'vms', offset: 0, limit: 200, sort: { field: 'name_label' } },
        { collection: 'vms', offset: 0, limit: 200, filter: 'power_state:Running' },
        { collection: 'hosts', offset: 0, limit: 5_000 },
        { collection: 'pools', offset: 0, limit: 5_000 },
        { collection: 'vms', offset: 100, limit: 200 },
      ]
      const pages = await Promise.all(
        asked.map((query) =>
          core.dispatch('inventory.page', { instanceId: 'demo', ...query }, signal),
        ),
      )

      const store = core.demo.simulator?.lab.store
      for (const [i, page] of pages.entries()) {
        expect(page.ok).toBe(true)
        const items = page.ok ? (page.value as { items: unknown[] }).items : []
        expect(items.length, `page ${i}`).toBeGreaterThan(0)
      }
      expect(pages[0]).toMatchObject({ value: { total: store?.count('vms') } })
      expect(pages[2]).toMatchObject({ value: { total: store?.count('hosts') } })
      // The simulator's own request log, once the event stream is live: each list was read once.
      await core.instances.get('demo').live.stream.whenLive(signal)
      const reads = (collection: string): number =>
        (core.demo.simulator?.lab.requests ?? []).filter((r) => r.startsWith(`GET /${collection}?`))
          .length
      expect(['vms', 'hosts', 'pools', 'srs'].map(reads)).toEqual([1, 1, 1, 1])
    } finally {
      await core.dispose()
    }
  })
})
