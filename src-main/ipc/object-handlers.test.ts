// The inventory browser's actions through the app core, on the Demo lab: each becomes a DeskTask
// of the Tasks panel, and what XO changes shows in main's inventory.
import type {
  DeskTask,
  Input,
  InstanceSummary,
  InventoryObject,
  MethodName,
  Output,
  Result,
} from '@contract'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import { generateCertificate, startSimulator, type RunningSimulator } from '../simulator'
import { TEST_CORE } from '../test-support/test-core'

let core: AppCore
const signal = (): AbortSignal => AbortSignal.timeout(30_000)

/** A request as the window makes it: its value, or the readable error thrown. */
async function call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
  const res = await core.dispatch(method, input, signal())
  if (!res.ok) throw new Error(`${res.error.message} ${res.error.action}`)
  return res.value as Output<M>
}

/** Polls until `find` answers (what the window sees arrives through events). */
async function until<T>(find: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const found = await find()
    if (found !== undefined) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('timed out')
}

/** The DeskTask once it ended, as the Tasks panel lists it. */
async function ended(task: DeskTask): Promise<DeskTask> {
  return until(async () =>
    (await call('tasks.list', undefined)).find((t) => t.id === task.id && t.status !== 'pending'),
  )
}

describe('object actions on the Demo lab', { timeout: 120_000 }, () => {
  const cache = () => core.instances.get('demo').live.cache
  const store = () => {
    const lab = core.demo.simulator?.lab
    if (!lab) throw new Error('no Demo lab')
    return lab.store
  }
  const vms = (state: string): InventoryObject[] =>
    cache()
      .all('vms')
      .filter((vm) => vm['power_state'] === state)

  beforeAll(async () => {
    core = createAppCore({
      ...TEST_CORE,
      demoLab: { life: false, seed: 'object-handlers', actionDelayMs: 300 },
      log: () => undefined,
    })
    await call('demo.open', undefined)
    const live = core.instances.get('demo').live
    await live.ready(signal())
    await live.stream.whenLive(signal())
  })
  afterAll(() => core.dispose())

  it('snapshots a running VM: the snapshot appears in the inventory and its task ends in success', async () => {
    const vm = vms('Running')[0] as InventoryObject
    const task = await call('objects.action', {
      instanceId: 'demo',
      collection: 'vms',
      id: vm.id,
      action: 'snapshot',
      params: { name_label: 'before the upgrade' },
    })
    expect(task).toMatchObject({
      status: 'pending',
      action: 'snapshot',
      object: { collection: 'vms', id: vm.id, name: vm['name_label'] },
    })
    expect(task.taskId).not.toBe('')
    const done = await ended(task)
    expect(done.status).toBe('success')
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt)
    const snapshot = await until(() =>
      cache()
        .all('vm-snapshots')
        .find((s) => s['$snapshot_of'] === vm.id && s['name_label'] === 'before the upgrade'),
    )
    expect(snapshot).toBeDefined()
  })

  it('migrates a running VM to another host of its pool: its host changes in the inventory', async () => {
    const hosts = cache().all('hosts')
    const { vm, target } = await until(() => {
      for (const vm of vms('Running')) {
        const target = hosts.find(
          (h) =>
            h['$pool'] === vm['$pool'] &&
            h.id !== vm['$container'] &&
            h['power_state'] === 'Running',
        )
        if (target) return { vm, target }
      }
      return undefined
    })
    const task = await call('objects.action', {
      instanceId: 'demo',
      collection: 'vms',
      id: vm.id,
      action: 'migrate',
      params: { hostId: target.id },
    })
    expect((await ended(task)).status).toBe('success')
    await until(() => (cache().get('vms', vm.id)?.['$container'] === target.id ? true : undefined))
  })

  it('adds then removes a tag: the VM carries it, then no more', async () => {
    const vm = vms('Halted')[0] as InventoryObject
    const tagsOf = () => (cache().get('vms', vm.id)?.['tags'] as string[] | undefined) ?? []
    const added = await call('objects.tag', {
      instanceId: 'demo',
      collection: 'vms',
      id: vm.id,
      tag: 'backup-nightly',
      present: true,
    })
    expect(added).toMatchObject({ status: 'success', action: 'tag', taskId: '' })
    await until(() => (tagsOf().includes('backup-nightly') ? true : undefined))
    const removed = await call('objects.tag', {
      instanceId: 'demo',
      collection: 'vms',
      id: vm.id,
      tag: 'backup-nightly',
      present: false,
    })
    expect(removed).toMatchObject({ status: 'success', action: 'untag' })
    await until(() => (tagsOf().includes('backup-nightly') ? undefined : true))
  })

  it('shuts three VMs down at once: three tasks, all ending in success', async () => {
    const three = vms('Running').slice(-3)
    expect(three).toHaveLength(3)
    const tasks = await Promise.all(
      three.map((vm) =>
        call('objects.action', {
          instanceId: 'demo',
          collection: 'vms',
          id: vm.id,
          action: 'clean_shutdown',
        }),
      ),
    )
    expect(new Set(tasks.map((t) => t.id)).size).toBe(3)
    const done = await Promise.all(tasks.map(ended))
    expect(done.map((t) => t.status)).toEqual(['success', 'success', 'success'])
    await until(() =>
      three.every((vm) => cache().get('vms', vm.id)?.['power_state'] === 'Halted')
        ? true
        : undefined,
    )
  })

  it('ends the task in failure, naming the VM and the action, when XO answers 500', async () => {
    const vm = vms('Running')[0] as InventoryObject
    core.demo.simulator?.faults.add({
      method: 'POST',
      path: '/vms/*/actions/snapshot',
      fault: { kind: 'status', status: 500 },
      times: 1,
    })
    const before = store().count('vm-snapshots')
    const task = await call('objects.action', {
      instanceId: 'demo',
      collection: 'vms',
      id: vm.id,
      action: 'snapshot',
    })
    expect(task.status).toBe('failure')
    expect(task.error?.message).toMatch(
      new RegExp(`^Could not snapshot ${String(vm['name_label'])}: `),
    )
    expect(task.error?.action).not.toBe('')
    expect(store().count('vm-snapshots')).toBe(before)
    const [latest] = await call('audit.list', {})
    expect(latest).toMatchObject({
      action: 'vms.snapshot',
      outcome: 'failed',
      error: { message: task.error?.message },
    })
  })

  it('lists the tasks newest first, and clearing keeps those still running', async () => {
    const [first, second] = vms('Halted')
    const older = await call('objects.tag', {
      instanceId: 'demo',
      collection: 'vms',
      id: String(first?.id),
      tag: 'older',
      present: true,
    })
    const newer = await call('objects.tag', {
      instanceId: 'demo',
      collection: 'vms',
      id: String(second?.id),
      tag: 'newer',
      present: true,
    })
    const listed = await call('tasks.list', undefined)
    expect(listed.indexOf(listed.find((t) => t.id === newer.id) as DeskTask)).toBeLessThan(
      listed.indexOf(listed.find((t) => t.id === older.id) as DeskTask),
    )
    expect(listed.map((t) => t.startedAt)).toEqual(
      [...listed.map((t) => t.startedAt)].sort((a, b) => b - a),
    )

    const running = await call('objects.action', {
      instanceId: 'demo',
      collection: 'vms',
      id: String(first?.id),
      action: 'start',
    })
    const left = await call('tasks.clear', undefined)
    expect(left.map((t) => t.id)).toEqual([running.id])
    expect((await ended(running)).status).toBe('success')
  })
})

describe('object actions refused in main', { timeout: 60_000 }, () => {
  let sim: RunningSimulator
  let fingerprint256: string
  beforeEach(async () => {
    const cert = await generateCertificate()
    fingerprint256 = cert.fingerprint256
    sim = await startSimulator({ tls: cert, seed: 'object-refusals', life: false })
    core = createAppCore({ ...TEST_CORE, log: () => undefined })
  })
  afterEach(async () => {
    await core.dispose()
    await sim.close()
  })

  async function add(settings: Partial<Input<'instances.add'>>): Promise<string> {
    const added = (await core.dispatch(
      'instances.add',
      {
        name: 'Production',
        address: sim.url,
        trust: { kind: 'pinned', fingerprint256 },
        signIn: { method: 'token', token: sim.token },
        ...settings,
      },
      signal(),
    )) as Result<InstanceSummary>
    if (!added.ok) throw new Error(added.error.message)
    await core.instances.get(added.value.id).live.ready(signal())
    return added.value.id
  }

  it('sends nothing to XO for a read-only instance, and the audit log says refused', async () => {
    const instanceId = await add({ readOnly: true })
    const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Running')
    const vmId = String(vm?.['id'])
    const tried = [
      core.dispatch(
        'objects.action',
        { instanceId, collection: 'vms', id: vmId, action: 'snapshot' },
        signal(),
      ),
      core.dispatch('objects.delete', { instanceId, collection: 'vms', id: vmId }, signal()),
      core.dispatch(
        'objects.tag',
        { instanceId, collection: 'vms', id: vmId, tag: 'x', present: true },
        signal(),
      ),
    ]
    for (const res of await Promise.all(tried)) {
      expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      if (!res.ok) expect(res.error.message).toContain('Production is read-only')
    }
    expect(sim.lab.requests.filter((r) => /^(POST|PUT|PATCH|DELETE) \/vms/.test(r))).toEqual([])
    expect(sim.lab.store.get('vms', vmId)).toBe(vm)
    const audit = (await call('audit.list', { instanceId })).filter((e) => e.object.id === vmId)
    expect(audit.map((e) => [e.action, e.outcome]).sort()).toEqual([
      ['vms.delete', 'refused'],
      ['vms.snapshot', 'refused'],
      ['vms.tag', 'refused'],
    ])
    expect(await call('tasks.list', undefined)).toEqual([])
  })

  it('deletes a VM on a production instance only with its name typed to confirm', async () => {
    const instanceId = await add({ environment: 'production' })
    const vm = core.instances
      .get(instanceId)
      .live.cache.all('vms')
      .find((v) => v['power_state'] === 'Halted') as InventoryObject
    const name = String(vm['name_label'])
    const input = { instanceId, collection: 'vms' as const, id: vm.id }
    for (const confirmName of [undefined, 'not-the-name']) {
      const res = await core.dispatch(
        'objects.delete',
        { ...input, ...(confirmName ? { confirmName } : {}) },
        signal(),
      )
      expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
      if (res.ok) continue
      expect(res.error.message).toBe(
        `Production is a production instance: to delete ${name}, type its name to confirm.`,
      )
      expect(res.error.action).toContain(`Type "${name}"`)
    }
    expect(sim.lab.store.get('vms', vm.id)).toBeDefined()
    expect(sim.lab.requests.filter((r) => r.startsWith('DELETE'))).toEqual([])
    const deleted = await call('objects.delete', { ...input, confirmName: name })
    expect(deleted).toMatchObject({ status: 'success', action: 'delete' })
    expect(sim.lab.store.get('vms', vm.id)).toBeUndefined()
  })

  it('refuses what the XO account may not do, in XO words, before sending it', async () => {
    const instanceId = await add({
      name: 'Staging',
      signIn: { method: 'password', user: 'operator@lab.local', password: 'operator' },
    })
    const instance = core.instances.get(instanceId)
    await until(() => instance.account)
    const vm = instance.live.cache.all('vms').find((v) => v['power_state'] === 'Running')
    if (!vm) throw new Error('the operator sees no running VM')
    const res = await core.dispatch(
      'objects.action',
      { instanceId, collection: 'vms', id: vm.id, action: 'hard_shutdown' },
      signal(),
    )
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    if (!res.ok)
      expect(res.error.message).toBe(
        `Your XO account on Staging lacks vm:shutdown:hard on ${String(vm['name_label'])}.`,
      )
    expect(sim.lab.requests.filter((r) => r.startsWith('POST /vms'))).toEqual([])
  })
})

describe('VM power actions of the VM list', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    core = createAppCore({
      ...TEST_CORE,
      demoLab: { life: false, seed: 'object-handlers-vms', actionDelayMs: 200 },
      log: () => undefined,
    })
    await call('demo.open', undefined)
    await core.instances.get('demo').live.ready(signal())
  })
  afterAll(() => core.dispose())

  it('are listed in the Tasks panel too, with the task XO started', async () => {
    const vm = core.instances
      .get('demo')
      .live.cache.all('vms')
      .find((v) => v['power_state'] === 'Halted') as InventoryObject
    const { taskId } = await call('vms.action', {
      instanceId: 'demo',
      vmId: vm.id,
      action: 'start',
    })
    const [task] = await call('tasks.list', undefined)
    expect(task).toMatchObject({
      taskId,
      action: 'start',
      object: { collection: 'vms', id: vm.id },
    })
    expect((await ended(task as DeskTask)).status).toBe('success')
  })
})
