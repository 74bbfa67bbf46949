import { describe, expect, it, vi } from 'vitest'
import type { DeskTask, XoBridge } from '@contract'
import { DeskTasksState } from './desk-tasks.svelte'

function bridge() {
  let deliver: (task: DeskTask) => void = () => undefined
  const xo = {
    invoke: vi.fn(async () => ({ ok: true, value: [] })),
    on: vi.fn((_event: string, listener: (task: DeskTask) => void) => {
      deliver = listener
      return () => undefined
    }),
  } as unknown as XoBridge
  return { xo, deliver: (task: DeskTask) => deliver(task) }
}

const task = (id: string, status: DeskTask['status']): DeskTask => ({
  instanceId: 'lab',
  taskId: `t-${id}`,
  id,
  object: { collection: 'vms', id: `vm-${id}`, name: `web-${id}` },
  action: 'migrate',
  status,
  startedAt: 1,
  ...(status === 'failure'
    ? {
        error: {
          code: 'xo-failed',
          message: `Could not migrate web-${id}: no room.`,
          action: 'Free memory on the host.',
          retryable: false,
        },
      }
    : {}),
})

describe('a task started from a dialog that fails later', () => {
  it('is told until dismissed; failures of tasks started elsewhere are left to their view', () => {
    const { xo, deliver } = bridge()
    const tasks = new DeskTasksState(xo)
    tasks.watch()
    tasks.add(task('1', 'pending'))
    deliver(task('2', 'failure')) // a row's power button: its own notice says it
    expect(tasks.failures).toEqual([])
    deliver(task('1', 'failure'))
    expect(tasks.failures.map((t) => t.error?.message)).toEqual([
      'Could not migrate web-1: no room.',
    ])
    tasks.dismiss('1')
    expect(tasks.failures).toEqual([])
    expect(tasks.tasks).toHaveLength(2)
  })
})
