import { describe, expect, it, vi } from 'vitest'
import type { AuditEntry, Events, Result, XoBridge } from '@contract'
import { AuditState } from './audit.svelte'

const entry = (outcome: AuditEntry['outcome']): AuditEntry => ({
  time: '2025-01-02T03:04:05.000Z',
  instance: { id: 'demo', name: 'Demo lab' },
  object: { collection: 'vms', id: 'v1', name: 'web-01' },
  action: 'vms.start',
  outcome,
})

function fakeBridge(answers: Result<unknown>[]) {
  let onTask: ((p: Events['task.progress']) => void) | undefined
  const invoke = vi.fn(async () => answers.shift())
  const bridge = {
    invoke,
    on: vi.fn((_event: string, listener: (p: Events['task.progress']) => void) => {
      onTask = listener
      return () => undefined
    }),
  } as unknown as XoBridge
  const task = (status: Events['task.progress']['status']) =>
    onTask?.({ instanceId: 'demo', taskId: 't', objectId: 'v1', action: 'start', status })
  return { bridge, invoke, task }
}

describe('AuditState', () => {
  it('shows the entries main returned, and reads them again when a task ends', async () => {
    const { bridge, invoke, task } = fakeBridge([
      { ok: true, value: [entry('started')] },
      { ok: true, value: [entry('succeeded'), entry('started')] },
    ])
    const audit = new AuditState(bridge)
    audit.watch()
    await vi.waitFor(() => expect(audit.entries).toHaveLength(1))
    task('pending')
    task('success')
    await vi.waitFor(() =>
      expect(audit.entries.map((e) => e.outcome)).toEqual(['succeeded', 'started']),
    )
    expect(invoke).toHaveBeenCalledTimes(2)
  })

  it('holds the readable error when main cannot read the log', async () => {
    const error = { code: 'corrupt-file', message: 'no', action: 'fix it', retryable: false }
    const { bridge } = fakeBridge([{ ok: false, error } as Result<unknown>])
    const audit = new AuditState(bridge)
    await audit.load()
    expect(audit.error).toEqual(error)
  })
})
