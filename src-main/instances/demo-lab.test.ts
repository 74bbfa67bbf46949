// The Demo lab through the same router the renderer uses: open, read, act, fail readably, reset.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventName, Events, InventoryPage, TaskProgress } from '@contract'
import type { ConnectionState, InventoryDiff } from '@contract/inventory'
import { createAppCore, type AppCore } from '../app-core'

let core: AppCore
const events: { name: EventName; payload: Events[EventName] }[] = []
const logs: string[] = []
const signal = (): AbortSignal => AbortSignal.timeout(30_000)

beforeEach(() => {
  events.length = 0
  logs.length = 0
  core = createAppCore({
    appInfo: {
      name: 'XO Desk',
      version: '0',
      platform: 'linux',
      arch: 'x64',
      runtime: { node: '24' },
    },
    openExternal: async () => undefined,
    heartbeatMs: 0,
    demoLab: { life: false, actionDelayMs: 20, seed: 'demo-test' },
    log: (line) => void logs.push(line),
  })
  core.hub.subscribe((name, payload) => events.push({ name, payload }))
})
afterEach(() => core.dispose())

async function until<T>(find: () => T | undefined, what = 'it'): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find()
    if (found !== undefined) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function page(filter?: string): Promise<InventoryPage> {
  const res = await core.dispatch(
    'inventory.page',
    { instanceId: 'demo', collection: 'vms', offset: 0, limit: 50, ...(filter ? { filter } : {}) },
    signal(),
  )
  if (!res.ok) throw new Error(res.error.message)
  return res.value as InventoryPage
}

/** Opens the lab and waits until its event stream is live, i.e. its first full read is over. */
async function openLive(): Promise<void> {
  await core.dispatch('demo.open', undefined, signal())
  await until(
    () =>
      events.find(
        (e) => e.name === 'instance.state' && (e.payload as ConnectionState).state === 'live',
      ),
    'the Demo lab to be live',
  )
}

describe('the Demo lab', () => {
  it('opens as an instance marked Demo, reached over HTTP like a real XO, without exposing its token', async () => {
    const res = await core.dispatch('demo.open', undefined, signal())
    expect(res).toMatchObject({ ok: true, value: { id: 'demo', kind: 'demo', label: 'Demo lab' } })
    if (!res.ok) return
    expect(JSON.stringify(res.value)).toMatch(/"url":"http:\/\/127\.0\.0\.1:\d+\/rest\/v0"/)
    expect(JSON.stringify(res.value)).not.toContain(core.demo.simulator?.token)
    expect(await core.dispatch('instances.list', undefined, signal())).toMatchObject({
      ok: true,
      value: [{ id: 'demo' }],
    })
  })

  it('lists VMs from the live inventory, filtered with XO syntax', async () => {
    await core.dispatch('demo.open', undefined, signal())
    const all = await page()
    expect(all.total).toBe(core.demo.simulator?.lab.store.count('vms'))
    const halted = await page('power_state:Halted')
    expect(halted.items.every((vm) => vm['power_state'] === 'Halted')).toBe(true)
  })

  it('starts a VM: the task is followed to success and the VM turns Running by a pushed diff', async () => {
    await openLive()
    const vm = (await page('power_state:Halted')).items[0]
    if (!vm) throw new Error('the Demo lab has no halted VM')
    // Only what is pushed after the click counts, not the initial read.
    const before = events.length
    const res = await core.dispatch(
      'vms.action',
      { instanceId: 'demo', vmId: vm.id, action: 'start' },
      signal(),
    )
    expect(res).toMatchObject({ ok: true, value: { taskId: expect.any(String) } })
    await until(() =>
      events.find(
        (e) => e.name === 'task.progress' && (e.payload as TaskProgress).status === 'success',
      ),
    )
    // The event stream's diff, not a re-read, says this VM is now Running.
    const pushed = await until(
      () =>
        events
          .slice(before)
          .map((e) => (e.name === 'inventory.diff' ? (e.payload as InventoryDiff) : undefined))
          .find(
            (diff) =>
              diff?.collection === 'vms' &&
              !diff.resynced &&
              diff.upserts.some((o) => o.id === vm.id && o['power_state'] === 'Running'),
          ),
      `a pushed diff with ${vm.id} Running`,
    )
    expect(pushed.instanceId).toBe('demo')
  })

  it('explains a failed action, naming the VM, with a next step', async () => {
    await core.dispatch('demo.open', undefined, signal())
    const vm = (await page('power_state:Running')).items[0]
    // Starting a running VM: XAPI's VM_BAD_POWER_STATE, reported on the task.
    await core.dispatch(
      'vms.action',
      { instanceId: 'demo', vmId: vm?.id, action: 'start' },
      signal(),
    )
    const failed = await until(() => {
      const e = events.find(
        (x) => x.name === 'task.progress' && (x.payload as TaskProgress).status === 'failure',
      )
      return e?.payload as TaskProgress | undefined
    })
    expect(failed.error?.message).toContain(`Could not start ${String(vm?.['name_label'])}`)
    expect(failed.error?.action).not.toBe('')
  })

  it('resets to a fresh lab, undoing what was changed', async () => {
    await core.dispatch('demo.open', undefined, signal())
    const vm = (await page()).items[0]
    core.demo.simulator?.lab.store.update('vms', vm?.id ?? '', { name_label: 'renamed-in-demo' })
    await core.dispatch('demo.reset', undefined, signal())
    const again = await page()
    expect(again.items[0]?.['name_label']).toBe(vm?.['name_label'])
  })
})

describe('the Demo lab on a first start', () => {
  it('is prepared in the background while no instance is saved, and opening uses that simulator', async () => {
    await until(() => (core.demo.isPrepared ? true : undefined), 'the lab to be prepared')
    const opened = await core.dispatch('demo.open', undefined, signal())
    expect(opened.ok).toBe(true)
    expect(core.demo.isPrepared).toBe(false)
    // One simulator, not two: the log names one start.
    expect(logs.filter((l) => l.includes('simulator listening'))).toHaveLength(1)
  })
})
