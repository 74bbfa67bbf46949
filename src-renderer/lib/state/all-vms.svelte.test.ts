import { describe, expect, it, vi } from 'vitest'
import type { CrossInstancePage, Events, InventoryDiff, XoBridge } from '@contract'
import { AllVms } from './all-vms.svelte'

const vm = (instance: string, id: string, power_state = 'Halted') => ({
  id,
  name_label: id,
  power_state,
  $instance: { id: instance, label: instance.toUpperCase() },
})

/** A bridge whose `inventory.pageAll` answers with `page()` each time, and whose diffs the test pushes. */
function fakeBridge(page: () => Partial<CrossInstancePage>) {
  let onDiff: ((diff: InventoryDiff) => void) | undefined
  const invoke = vi.fn(async (method: string, input: { collection?: string }) => {
    if (method === 'vms.action') return { ok: true, value: { taskId: 't' } }
    if (input.collection !== 'vms')
      return {
        ok: true,
        value: { collection: '', offset: 0, items: [], total: 0, unavailable: [] },
      }
    return {
      ok: true,
      value: { collection: 'vms', offset: 0, items: [], total: 0, unavailable: [], ...page() },
    }
  })
  const bridge = {
    invoke,
    on: vi.fn((event: keyof Events, listener: (diff: InventoryDiff) => void) => {
      if (event === 'inventory.diff') onDiff = listener
      return () => undefined
    }),
  } as unknown as XoBridge
  const diff = (d: Partial<InventoryDiff> & { instanceId: string }) =>
    onDiff?.({ collection: 'vms', upserts: [], removals: [], total: 0, ...d })
  const pageReads = () => invoke.mock.calls.filter(([, input]) => input.collection === 'vms').length
  return { bridge, invoke, diff, pageReads }
}

describe('AllVms', () => {
  it('shows a VM of any instance changing in place, keeping which instance it is on', async () => {
    const { bridge, diff, pageReads } = fakeBridge(() => ({
      items: [vm('a', 'v1'), vm('b', 'v1')],
      total: 2,
    }))
    const all = new AllVms(bridge)
    await all.open()
    diff({ instanceId: 'b', upserts: [{ id: 'v1', name_label: 'v1', power_state: 'Running' }] })
    expect(all.rows.map((r) => `${r.$instance.id}:${String(r['power_state'])}`)).toEqual([
      'a:Halted',
      'b:Running',
    ])
    expect(pageReads()).toBe(1)
  })

  it('reads the list again when an instance comes back (a resync has no objects)', async () => {
    let answer: Partial<CrossInstancePage> = {
      items: [vm('a', 'v1')],
      total: 1,
      unavailable: [
        {
          instanceId: 'b',
          label: 'B',
          reason: { code: 'unreachable', message: 'B is down.', action: 'Wait.', retryable: true },
        },
      ],
    }
    const { bridge, diff } = fakeBridge(() => answer)
    const all = new AllVms(bridge)
    await all.open()
    expect(all.unavailable.map((u) => u.label)).toEqual(['B'])
    answer = { items: [vm('a', 'v1'), vm('b', 'v2')], total: 2, unavailable: [] }
    diff({ instanceId: 'b', resynced: true, total: 1 })
    await vi.waitFor(() => expect(all.total).toBe(2))
    expect(all.unavailable).toEqual([])
  })

  it("sends an action to the VM's own instance", async () => {
    const { bridge, invoke } = fakeBridge(() => ({ items: [vm('a', 'v1'), vm('b', 'v1')] }))
    const all = new AllVms(bridge)
    await all.open()
    const second = all.rows[1]
    if (!second) throw new Error('no second row')
    await all.act(second, 'start')
    expect(invoke).toHaveBeenCalledWith('vms.action', {
      instanceId: 'b',
      vmId: 'v1',
      action: 'start',
    })
  })
})
