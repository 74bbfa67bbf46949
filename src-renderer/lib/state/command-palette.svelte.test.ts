// complex-matcher reads filters here as main does; its types are declared in main's project only.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../../src-main/types/complex-matcher.d.ts" />
import type { InstanceSummary, ObjectRef, XoBridge } from '@contract'
import { parse } from 'complex-matcher'
import { describe, expect, it, vi } from 'vitest'
import type { ActionChoice } from '../objects/object-actions'
import type { ActionTarget } from './action-flow.svelte'
import { CommandPalette } from './command-palette.svelte'

const lab = { id: 'lab', label: 'Lab' }
const vms = [
  { id: 'v1', name_label: 'web-01', power_state: 'Halted', $instance: lab },
  { id: 'v2', name_label: 'web-02', power_state: 'Running', $instance: lab },
]
const objects: Record<string, object[]> = {
  vms,
  hosts: [{ id: 'h2', name_label: 'xcp-02', power_state: 'Running', $instance: lab }],
  pools: [{ id: 'p1', name_label: 'xcp-pool', $instance: lab }],
  networks: [{ id: 'n1', name_label: 'xcp-02 bond', $instance: lab }],
}

/**
 * A bridge whose `inventory.pageAll` reads its filter as main does (XO's filter syntax): an
 * unreadable one is refused, a readable one narrows the objects.
 */
function palette() {
  const invoke = vi.fn(async (method: string, input: { collection: string; filter?: string }) => {
    if (method !== 'inventory.pageAll') return { ok: true, value: { taskId: 't', input } }
    let matches: (o: unknown) => boolean = () => true
    try {
      if (input.filter) matches = parse(input.filter).createPredicate()
    } catch {
      const message = `The search "${input.filter}" could not be read.`
      return { ok: false, error: { code: 'invalid-input', message, action: '', retryable: false } }
    }
    const items = (objects[input.collection] ?? []).filter(matches)
    const value = { collection: input.collection, offset: 0, items, total: items.length }
    return { ok: true, value: { ...value, unavailable: [] } }
  })
  const opened = { instances: [] as string[], objects: [] as ObjectRef[] }
  const exported: { instanceId: string; vmId: string; name: string }[] = []
  const asked: { choice: ActionChoice; target: ActionTarget }[] = []
  const instances = [{ id: 'lab', label: 'Lab' }] as InstanceSummary[]
  const p = new CommandPalette({ invoke, on: () => () => undefined } as unknown as XoBridge, {
    instances: () => instances,
    openInstance: (id) => opened.instances.push(id),
    openObject: (ref) => opened.objects.push(ref),
    exportVm: (vm) => exported.push(vm),
    ask: (choice, target) => asked.push({ choice, target }),
  })
  return { p, invoke, opened, exported, asked }
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
    const { p, opened } = palette()
    await p.search('lab')
    await p.run(0)
    expect(opened.instances).toEqual(['lab'])
  })

  it('opens objects of every type by name, with their type and instance', async () => {
    const { p } = palette()
    await p.search('xcp-02')
    expect(p.commands.map((c) => [c.label, c.detail])).toEqual([
      ['Open xcp-02', 'Host on Lab'],
      ['Open xcp-02 bond', 'Network on Lab'],
    ])
  })

  it('“open host <name>” opens that host only', async () => {
    const { p, opened } = palette()
    for (const query of ['open host xcp-02', 'ouvrir hôte xcp-02']) {
      await p.search(query)
      expect(p.commands.map((c) => c.label)).toEqual(['Open xcp-02'])
    }
    p.show()
    await p.search('open host xcp-02')
    await p.run()
    expect(opened.objects).toEqual([{ instanceId: 'lab', collection: 'hosts', id: 'h2' }])
    expect(p.open).toBe(false)
  })

  it('“open <name>” opens a VM too, not its actions', async () => {
    const { p } = palette()
    await p.search('open web-01')
    expect(p.commands.map((c) => [c.label, c.detail])).toEqual([['Open web-01', 'VM on Lab']])
  })

  it('“export vm <name>” opens the export dialog of that VM', async () => {
    const { p, exported } = palette()
    await p.search('export vm web-02')
    expect(p.commands.map((c) => c.label)).toEqual(['Export web-02…'])
    await p.run()
    await p.search('exporter web-01')
    await p.run()
    expect(exported).toEqual([
      { instanceId: 'lab', vmId: 'v2', name: 'web-02' },
      { instanceId: 'lab', vmId: 'v1', name: 'web-01' },
    ])
  })

  it('“snapshot <name>” asks the snapshot action as the UI does', async () => {
    const { p, asked } = palette()
    await p.search('instantané web-01')
    expect(p.commands.map((c) => c.label)).toEqual(['Snapshot web-01…'])
    await p.run()
    expect(asked.map(({ choice, target }) => [choice.id, target])).toEqual([
      ['snapshot', { instanceId: 'lab', collection: 'vms', id: 'v1', name: 'web-01' }],
    ])
  })

  it('reads a name with a colon, quotes or brackets as text, showing no error', async () => {
    const { p } = palette()
    for (const query of ['open host a:b', 'web-01 (old)', 'start "x\\', 'open |(a b)']) {
      await p.search(query)
      expect({ query, error: p.error }).toEqual({ query, error: undefined })
    }
  })
})
