import { describe, expect, it, vi } from 'vitest'
import type { XoBridge } from '@contract'
import { VmTable } from './vm-table.svelte'

/** A bridge that answers every page with no rows and records what was asked. */
function fakeBridge() {
  const invoke = vi.fn(async () => ({
    ok: true,
    value: { collection: 'vms', offset: 0, items: [], total: 0 },
  }))
  const bridge = { invoke, on: vi.fn(() => () => undefined) } as unknown as XoBridge
  const lastVmQuery = () =>
    invoke.mock.calls
      .map((call) => (call as unknown[])[1] as { collection: string; filter?: string })
      .filter((input) => input.collection === 'vms')
      .at(-1)
  return { bridge, lastVmQuery }
}

describe('switching between instances', () => {
  it('finds each instance’s filter and sort as it was left', async () => {
    const { bridge, lastVmQuery } = fakeBridge()
    const table = new VmTable(bridge)
    await table.open('prod')
    table.setFilter('power_state:Halted')
    table.sortBy('memory.size')
    await table.open('lab')
    expect(table.filter).toBe('')
    expect(table.sort.field).toBe('name_label')
    await table.open('prod')
    expect(table.filter).toBe('power_state:Halted')
    expect(table.sort.field).toBe('memory.size')
    expect(lastVmQuery()).toMatchObject({ filter: 'power_state:Halted' })
  })
})
