import { describe, expect, it, vi } from 'vitest'
import { AppFailure } from '../app-failure'
import type { Handlers } from './router'
import { createRouter } from './router'
import { schemas } from './schemas'

function setup() {
  const handlers = {
    'app.info': vi.fn(async () => ({
      name: 'XO Desk',
      version: '1.2.3',
      platform: 'linux',
      arch: 'x64',
      runtime: { node: '24.0.0' },
    })),
    'app.openHelp': vi.fn(async () => undefined),
    'instances.list': vi.fn(async () => []),
    'instances.notices': vi.fn(async () => []),
    'instances.inspect': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'instances.add': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'instances.remove': vi.fn(async () => undefined),
    'instances.trust': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'instances.signIn': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'instances.update': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'instances.reorder': vi.fn(async () => []),
    'instances.certificates': vi.fn(async () => []),
    'demo.open': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'demo.reset': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'inventory.page': vi.fn(async () => ({ collection: 'vms', offset: 0, items: [], total: 0 })),
    'inventory.pageAll': vi.fn(async () => ({
      collection: 'vms',
      offset: 0,
      items: [],
      total: 0,
      unavailable: [],
    })),
    'vms.action': vi.fn(async () => ({ taskId: 't' })),
    'audit.list': vi.fn(async () => []),
    'audit.export': vi.fn(async () => ({ fileName: 'audit.csv', text: '' })),
    'transfers.exportChoices': vi.fn(async () => ({ disks: [], snapshots: [] })),
    'transfers.list': vi.fn(async () => []),
    'transfers.export': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'transfers.import': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'transfers.move': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'transfers.cancel': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'transfers.retry': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'transfers.clear': vi.fn(async () => []),
    'transfers.settings': vi.fn(async () => ({ parallel: 2 })),
    'transfers.configure': vi.fn(async () => ({ parallel: 2 })),
    'library.list': vi.fn(async () => ({ root: '/library', entries: [] })),
    'library.verify': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'library.remove': vi.fn(async () => undefined),
    'library.reveal': vi.fn(async () => undefined),
    'library.setFolder': vi.fn(async () => ({ root: '/library', entries: [] })),
    'library.inspectDropped': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'inventory.counts': vi.fn(async () => ({ vms: 0 })),
    'objects.details': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'objects.action': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'objects.delete': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'objects.rename': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'objects.tag': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'objects.stats': vi.fn(async () => Promise.reject(new Error('not in this test'))),
    'objects.patches': vi.fn(async () => []),
    'tasks.list': vi.fn(async () => []),
    'tasks.clear': vi.fn(async () => []),
    'prefs.get': vi.fn(async () => ({
      locale: 'system' as const,
      density: 'comfortable' as const,
      columns: {},
      searches: [],
    })),
    'prefs.set': vi.fn(async () => ({
      locale: 'system' as const,
      density: 'comfortable' as const,
      columns: {},
      searches: [],
    })),
    'console.open': vi.fn(async () => ({ consoleId: 'c', title: 'web-01', viewOnly: false })),
    'console.close': vi.fn(async () => undefined),
    'console.detach': vi.fn(async () => undefined),
  } satisfies Handlers
  return { handlers, dispatch: createRouter(handlers, schemas) }
}
const signal = new AbortController().signal

describe('dispatch', () => {
  it('answers a known request with the handler value', async () => {
    const { dispatch } = setup()
    expect(await dispatch('app.info', undefined, signal)).toMatchObject({
      ok: true,
      value: { version: '1.2.3' },
    })
  })

  it('refuses a method outside the contract, with a readable error, without calling any handler', async () => {
    const { dispatch, handlers } = setup()
    const res = await dispatch('fs.readFile', { path: '/etc/passwd' }, signal)
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    if (res.ok) throw new Error('unreachable')
    expect(res.error.message).toContain('fs.readFile')
    expect(res.error.action).not.toBe('')
    for (const handler of Object.values(handlers)) expect(handler).not.toHaveBeenCalled()
  })

  it('refuses prototype keys that are not methods ("toString", "__proto__")', async () => {
    const { dispatch } = setup()
    for (const method of ['toString', '__proto__', 'constructor', 42, null]) {
      expect(await dispatch(method, undefined, signal)).toMatchObject({
        ok: false,
        error: { code: 'invalid-input' },
      })
    }
  })

  it('refuses a malformed input, naming the bad field, without calling the handler', async () => {
    const { dispatch, handlers } = setup()
    const res = await dispatch('app.openHelp', { url: 42 }, signal)
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringContaining('url') },
    })
    expect(handlers['app.openHelp']).not.toHaveBeenCalled()
  })

  it('refuses an input with properties the contract does not have', async () => {
    const { dispatch, handlers } = setup()
    const res = await dispatch(
      'app.openHelp',
      { url: 'https://xcp-ng.org', shell: 'rm -rf /' },
      signal,
    )
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(handlers['app.openHelp']).not.toHaveBeenCalled()
  })

  it('turns an explained failure thrown by a handler into the same error value', async () => {
    const { dispatch, handlers } = setup()
    handlers['app.info'].mockRejectedValueOnce(
      new AppFailure('not-found', 'The VM is gone.', 'Refresh the list.'),
    )
    expect(await dispatch('app.info', undefined, signal)).toEqual({
      ok: false,
      error: {
        code: 'not-found',
        message: 'The VM is gone.',
        action: 'Refresh the list.',
        retryable: false,
      },
    })
  })

  it('turns an unexpected exception into an "internal" error without leaking its stack', async () => {
    const { dispatch, handlers } = setup()
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    handlers['app.info'].mockRejectedValueOnce(new Error('secret stack detail'))
    const res = await dispatch('app.info', undefined, signal)
    expect(res).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(JSON.stringify(res)).not.toContain('secret stack detail')
    expect(log).toHaveBeenCalled()
    log.mockRestore()
  })
})
