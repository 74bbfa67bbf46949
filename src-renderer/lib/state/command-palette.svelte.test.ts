import type { InstanceSummary, XoBridge } from '@contract'
import { describe, expect, it, vi } from 'vitest'
import { CommandPalette } from './command-palette.svelte'

const lab = { id: 'lab', label: 'Lab' }
const vms = [
  { id: 'v1', name_label: 'web-01', power_state: 'Halted', $instance: lab },
  { id: 'v2', name_label: 'web-02', power_state: 'Running', $instance: lab },
]

function palette() {
  const invoke = vi.fn(async (method: string, input: unknown) =>
    method === 'inventory.pageAll'
      ? { ok: true, value: { collection: 'vms', offset: 0, items: vms, total: 2, unavailable: [] } }
      : { ok: true, value: { taskId: 't', input } },
  )
  const selected: string[] = []
  const instances = [{ id: 'lab', label: 'Lab' }] as InstanceSummary[]
  const p = new CommandPalette(
    { invoke, on: () => () => undefined } as unknown as XoBridge,
    () => instances,
    (id) => selected.push(id),
  )
  return { p, invoke, selected }
}

describe('command palette', () => {
  it('offers each VM its actions, narrowed by a leading verb, searching names as text', async () => {
    const { p, invoke } = palette()
    await p.search('web')
    expect(p.commands.map((c) => c.label)).toEqual([
      'Start web-01',
      'Shut down web-02',
      'Reboot web-02',
    ])
    await p.search('start web-0')
    expect(p.commands.map((c) => c.label)).toEqual(['Start web-01'])
    expect(invoke).toHaveBeenLastCalledWith(
      'inventory.pageAll',
      expect.objectContaining({ filter: 'name_label:"web-0"' }),
    )
  })

  it('runs the chosen command on the VM’s own instance and closes', async () => {
    const { p, invoke } = palette()
    p.show()
    await p.search('web')
    p.move(1)
    p.move(1)
    await p.run()
    expect(invoke).toHaveBeenLastCalledWith('vms.action', {
      instanceId: 'lab',
      vmId: 'v2',
      action: 'clean_reboot',
    })
    expect(p.open).toBe(false)
  })

  it('opens an instance by its name', async () => {
    const { p, selected } = palette()
    await p.search('lab')
    await p.run(0)
    expect(selected).toEqual(['lab'])
  })
})
