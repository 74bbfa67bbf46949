import { describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import type { Events, XoBridge } from '@contract'
import { AppStatus } from './app-status.svelte'

function fakeBridge(result: Awaited<ReturnType<XoBridge['invoke']>>) {
  let heartbeat: ((p: Events['app.heartbeat']) => void) | undefined
  const bridge = {
    invoke: vi.fn(async () => result),
    on: vi.fn((_event: string, listener: (p: Events['app.heartbeat']) => void) => {
      heartbeat = listener
      return () => undefined
    }),
  } as unknown as XoBridge
  return { bridge, beat: (p: Events['app.heartbeat']) => heartbeat?.(p) }
}

describe('AppStatus', () => {
  it('holds the app details main returned', async () => {
    const info = {
      name: 'XO Desk',
      version: '9.9.9',
      platform: 'linux',
      arch: 'x64',
      runtime: { node: '24' },
    }
    const { bridge } = fakeBridge({ ok: true, value: info })
    const status = new AppStatus(bridge)
    await status.load()
    expect(status.info).toEqual(info)
    expect(status.error).toBeUndefined()
  })

  it('holds the readable error when main refuses', async () => {
    const error = {
      code: 'internal' as const,
      message: 'Broken.',
      action: 'Restart.',
      retryable: true,
    }
    const status = new AppStatus(fakeBridge({ ok: false, error }).bridge)
    await status.load()
    expect(status.error).toEqual(error)
    expect(status.info).toBeUndefined()
  })

  it('follows the heartbeat main pushes', () => {
    const { bridge, beat } = fakeBridge({ ok: true, value: undefined })
    const status = new AppStatus(bridge)
    beat({ at: 1000, sequence: 3 })
    flushSync()
    expect(status.lastHeartbeat).toEqual({ at: 1000, sequence: 3 })
  })
})
