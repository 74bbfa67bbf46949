import { describe, expect, it, vi } from 'vitest'
import { createBridge, type ChannelPort, type Transport } from './bridge'
import type { MethodName } from './contract'

function fakeTransport() {
  const listeners = new Set<(event: string, payload: unknown) => void>()
  const transport = {
    invoke: vi.fn(async (method: MethodName) => ({ ok: true, value: method })),
    listen: vi.fn((listener: (event: string, payload: unknown) => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }),
    attachConsole: vi.fn((_consoleId: string, _port: ChannelPort) => undefined),
  } satisfies Transport
  return {
    transport,
    emit: (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload)),
  }
}

describe('createBridge', () => {
  it('passes a known request to main and returns its Result', async () => {
    const { transport } = fakeTransport()
    const bridge = createBridge(transport, () => '')
    expect(await bridge.invoke('app.info', undefined)).toEqual({ ok: true, value: 'app.info' })
    expect(transport.invoke).toHaveBeenCalledWith('app.info', undefined)
  })

  it('refuses an unknown request before it reaches main', async () => {
    const { transport } = fakeTransport()
    const bridge = createBridge(transport, () => '')
    const res = await bridge.invoke('shell.exec' as MethodName, undefined as never)
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(transport.invoke).not.toHaveBeenCalled()
  })

  it('reports a broken link to main as a readable error instead of throwing', async () => {
    const { transport } = fakeTransport()
    transport.invoke.mockRejectedValueOnce(new Error('channel closed'))
    const res = await createBridge(transport, () => '').invoke('app.info', undefined)
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'internal', action: expect.stringMatching(/Restart/) },
    })
  })

  it('delivers only the subscribed event to a listener, until it unsubscribes', () => {
    const { transport, emit } = fakeTransport()
    const bridge = createBridge(transport, () => '')
    const listener = vi.fn()
    const stop = bridge.on('app.heartbeat', listener)
    emit('app.heartbeat', { at: 1, sequence: 1 })
    emit('something.else', {})
    stop()
    emit('app.heartbeat', { at: 2, sequence: 2 })
    expect(listener.mock.calls).toEqual([[{ at: 1, sequence: 1 }]])
  })

  it('is frozen, so page scripts cannot swap its functions', () => {
    expect(Object.isFrozen(createBridge(fakeTransport().transport, () => ''))).toBe(true)
  })
})
