import { describe, expect, it, vi } from 'vitest'
import type { InstanceSummary, Result, XoBridge } from '@contract'
import { InstancesState } from './instances.svelte'
import { InstanceSettings } from './instance-settings.svelte'

const summary = (id: string, label: string, kind: 'demo' | 'xo' = 'xo'): InstanceSummary => ({
  id,
  label,
  url: `https://${id}/rest/v0`,
  kind,
  live: { instanceId: id, state: 'live' },
  ...(kind === 'xo' ? { environment: 'production', color: '#2f6fde', readOnly: false } : {}),
})

function world(answer: (method: string, input: unknown) => Result<unknown>) {
  const invoke = vi.fn(async (method: string, input: unknown) => answer(method, input))
  const xo = { invoke, on: () => () => undefined } as unknown as XoBridge
  const instances = new InstancesState(xo)
  instances.list = [summary('demo', 'Demo lab', 'demo'), summary('a', 'A'), summary('b', 'B')]
  instances.selectedId = 'b'
  return { xo, invoke, instances }
}

describe('InstanceSettings', () => {
  it('sends only what the admin changed, and the sidebar shows the new name', async () => {
    const { xo, invoke, instances } = world(() => ({
      ok: true,
      value: { ...summary('b', 'Lab'), environment: 'lab' },
    }))
    const settings = new InstanceSettings(xo, instances, summary('b', 'B'))
    settings.name = ' Lab '
    settings.environment = 'lab'
    expect(await settings.save()).toBe(true)
    expect(invoke).toHaveBeenCalledWith('instances.update', {
      instanceId: 'b',
      patch: { name: 'Lab', environment: 'lab' },
    })
    expect(instances.list.map((i) => i.label)).toEqual(['Demo lab', 'A', 'Lab'])
  })

  it('moving up sends the saved instances in their new order, never the Demo lab', async () => {
    const { xo, invoke, instances } = world((_m, input) => {
      const ids = (input as { instanceIds: string[] }).instanceIds
      return {
        ok: true,
        value: [
          summary('demo', 'Demo lab', 'demo'),
          ...ids.map((id) => summary(id, id.toUpperCase())),
        ],
      }
    })
    const settings = new InstanceSettings(xo, instances, summary('b', 'B'))
    expect(settings.canMoveDown).toBe(false)
    await settings.move(-1)
    expect(invoke).toHaveBeenCalledWith('instances.reorder', { instanceIds: ['b', 'a'] })
    expect(instances.list.map((i) => i.id)).toEqual(['demo', 'b', 'a'])
    expect(settings.canMoveUp).toBe(false)
  })

  it('keeps main’s readable error when a rename is refused', async () => {
    const error = {
      code: 'conflict',
      message: 'taken',
      action: 'Choose another name.',
      retryable: false,
    } as const
    const { xo, instances } = world(() => ({ ok: false, error }))
    const settings = new InstanceSettings(xo, instances, summary('b', 'B'))
    settings.name = 'A'
    expect(await settings.save()).toBe(false)
    expect(settings.error).toEqual(error)
    expect(instances.list.map((i) => i.label)).toEqual(['Demo lab', 'A', 'B'])
  })
})
