import type { TransferView } from '@contract'
import { describe, expect, it } from 'vitest'
import { endedNotice, NOTIFY_AFTER_MS, quitQuestion, taskbarProgress } from './transfer-attention'

const view = (patch: Partial<TransferView>): TransferView => ({
  id: 't',
  direction: 'export',
  instance: { id: 'i', name: 'Production' },
  object: { collection: 'vms', id: 'v', name: 'web-01' },
  format: 'xva',
  state: 'done',
  bytes: 0,
  rate: 0,
  attempt: 1,
  queuedAt: 0,
  startedAt: 0,
  endedAt: NOTIFY_AFTER_MS,
  file: '/library/web-01.xva',
  ...patch,
})

describe('what the OS shows of the transfers', () => {
  it('the taskbar bar: gone when idle, filled when sizes are known, indeterminate otherwise', () => {
    expect(taskbarProgress({ running: 0, queued: 2 })).toBe(-1)
    expect(taskbarProgress({ running: 1, queued: 0, fraction: 0.25 })).toBe(0.25)
    expect(taskbarProgress({ running: 1, queued: 0 })).toBeGreaterThan(1)
  })

  it('notifies the end of a long transfer, with the file or the reason it failed', () => {
    expect(endedNotice(view({}))).toEqual({
      title: 'Export of web-01 from Production is done',
      body: '/library/web-01.xva',
    })
    const failed = endedNotice(
      view({
        state: 'failed',
        error: { code: 'unreachable', message: 'XO went away.', action: 'Retry.', retryable: true },
      }),
    )
    expect(failed?.body).toBe('XO went away. Retry.')
    expect(endedNotice(view({ endedAt: NOTIFY_AFTER_MS - 1 }))).toBeUndefined()
    expect(endedNotice(view({ state: 'cancelled' }))).toBeUndefined()
  })

  it('asks before quitting only while something is queued or running', () => {
    expect(quitQuestion({ running: 0, queued: 0 })).toBeUndefined()
    expect(quitQuestion({ running: 1, queued: 1 })?.message).toBe('2 transfers are not finished.')
  })
})
