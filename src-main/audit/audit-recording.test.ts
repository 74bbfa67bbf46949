// Every mutating request is recorded in main, where it is decided, through the router the
// renderer uses: VM actions on the Demo lab and on an own XO, and the instance requests.
import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  AuditEntry,
  ConnectionState,
  EventName,
  Events,
  InstanceSummary,
  TaskProgress,
} from '@contract'
import { createAppCore, type AppCore } from '../app-core'
import { generateCertificate, startSimulator, type RunningSimulator } from '../simulator'
import { TEST_CORE } from '../test-support/test-core'

let core: AppCore
const events: { name: EventName; payload: Events[EventName] }[] = []
const signal = (): AbortSignal => AbortSignal.timeout(30_000)

beforeEach(() => {
  events.length = 0
  core = createAppCore({
    ...TEST_CORE,
    demoLab: { life: false, actionDelayMs: 20, seed: 'audit-test' },
    log: () => undefined,
  })
  core.hub.subscribe((name, payload) => events.push({ name, payload }))
})
afterEach(() => core.dispose())

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const found = find()
    if (found !== undefined) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function entries(): Promise<AuditEntry[]> {
  const res = await core.dispatch('audit.list', { limit: 100 }, signal())
  if (!res.ok) throw new Error(res.error.message)
  return res.value as AuditEntry[]
}

function taskEnd(taskId: string): Promise<TaskProgress> {
  return until(() => {
    const e = events.find(
      (x) =>
        x.name === 'task.progress' &&
        (x.payload as TaskProgress).taskId === taskId &&
        (x.payload as TaskProgress).status !== 'pending',
    )
    return e?.payload as TaskProgress | undefined
  }, `task ${taskId} to end`)
}

/** Opens the Demo lab and waits for its first full read, so VMs are known by name. */
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

/** A Demo lab VM by power state, straight from the simulator. */
function demoVm(powerState: string, skip = 0): { id: string; name: string } {
  const vm = [...(core.demo.simulator?.lab.store.list('vms') ?? [])].filter(
    (v) => v['power_state'] === powerState,
  )[skip]
  if (!vm) throw new Error(`the Demo lab has no ${powerState} VM`)
  return { id: vm.id, name: String(vm['name_label']) }
}

async function act(vmId: string, action: 'start' = 'start') {
  return core.dispatch('vms.action', { instanceId: 'demo', vmId, action }, signal())
}

describe('the audit log of VM actions', () => {
  it('records a VM start on the Demo lab as started, then succeeded, with its task', async () => {
    await openLive()
    const vm = demoVm('Halted')
    const res = await act(vm.id)
    if (!res.ok) throw new Error(res.error.message)
    const { taskId } = res.value as { taskId: string }
    expect((await taskEnd(taskId)).status).toBe('success')

    const [ended, started] = await entries()
    const about = {
      instance: { id: 'demo', name: 'Demo lab' },
      object: { collection: 'vms', id: vm.id, name: vm.name },
      action: 'vms.start',
      taskId,
    }
    expect(started).toEqual({ ...about, time: expect.any(String), outcome: 'started' })
    expect(ended).toEqual({ ...about, time: expect.any(String), outcome: 'succeeded' })
  })

  it('records a task XO failed as failed, with the readable message', async () => {
    await openLive()
    const vm = demoVm('Running')
    const res = await act(vm.id) // starting a running VM: the task fails
    if (!res.ok) throw new Error(res.error.message)
    const failed = await taskEnd((res.value as { taskId: string }).taskId)
    const [latest] = await entries()
    expect(latest).toMatchObject({ outcome: 'failed', object: { id: vm.id } })
    expect(latest?.error?.message).toBe(failed.error?.message)
    expect(latest?.error?.message).toContain(`Could not start ${vm.name}`)
  })

  it('records an action XO answered with a 500 as failed, with the message the user saw', async () => {
    await openLive()
    const vm = demoVm('Halted', 1)
    core.demo.simulator?.faults.add({
      method: 'POST',
      path: '/vms/*/actions/*',
      fault: { kind: 'status', status: 500 },
    })
    const res = await act(vm.id)
    if (res.ok) throw new Error('the action should have failed')
    const [latest, ...older] = await entries()
    expect(older).toEqual([])
    expect(latest).toMatchObject({
      outcome: 'failed',
      action: 'vms.start',
      object: { id: vm.id, name: vm.name },
      error: { code: res.error.code, message: res.error.message },
    })
    expect(latest?.error?.message).toContain(`Could not start ${vm.name}`)
    expect(latest?.taskId).toBeUndefined()
  })
})

describe('the audit log of an own XO', () => {
  let sim: RunningSimulator
  let fingerprint256: string
  beforeEach(async () => {
    const cert = await generateCertificate()
    fingerprint256 = cert.fingerprint256
    sim = await startSimulator({ tls: cert, seed: 'audit-own', life: false })
  })
  afterEach(() => sim.close())

  async function add(
    name: string,
    signIn:
      { method: 'token'; token: string } | { method: 'password'; user: string; password: string },
    readOnly = false,
  ): Promise<InstanceSummary> {
    const res = await core.dispatch(
      'instances.add',
      { name, address: sim.url, readOnly, trust: { kind: 'pinned', fingerprint256 }, signIn },
      signal(),
    )
    if (!res.ok) throw new Error(res.error.message)
    return res.value as InstanceSummary
  }

  it('records a VM action refused because the instance is read-only as refused', async () => {
    const prod = await add('Production', { method: 'token', token: sim.token }, true)
    const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
    const res = await core.dispatch(
      'vms.action',
      { instanceId: prod.id, vmId: String(vm?.id), action: 'start' },
      signal(),
    )
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const [latest] = await entries()
    expect(latest).toMatchObject({
      instance: { id: prod.id, name: 'Production' },
      object: { collection: 'vms', id: String(vm?.id) },
      action: 'vms.start',
      outcome: 'refused',
      error: {
        code: 'forbidden',
        message: 'Production is read-only in XO Desk: it changes nothing there.',
      },
    })
  })

  it('records adding, signing in to and removing an instance, and never a token or password', async () => {
    const byToken = await add('Production', { method: 'token', token: sim.token })
    const byPassword = await add('DR', {
      method: 'password',
      user: 'admin@admin.net',
      password: 'admin',
    })
    const config = core.connections.configs.find((c) => c.id === byPassword.id)
    if (!config) throw new Error('DR was not saved')
    const exchanged = await core.connections.tokenOf(config)
    const wrong = await core.dispatch(
      'instances.signIn',
      {
        instanceId: byPassword.id,
        signIn: { method: 'password', user: 'admin@admin.net', password: 'not-the-password' },
      },
      signal(),
    )
    expect(wrong.ok).toBe(false)
    await core.dispatch('instances.remove', { instanceId: byToken.id }, signal())

    expect((await entries()).map((e) => [e.action, e.instance.name, e.outcome])).toEqual([
      ['instances.remove', 'Production', 'succeeded'],
      ['instances.signIn', 'DR', 'failed'],
      ['instances.add', 'DR', 'succeeded'],
      ['instances.add', 'Production', 'succeeded'],
    ])
    const file = await readFile(core.audit.path, 'utf8')
    expect(file).toContain(byToken.id)
    expect(exchanged).toBeTruthy()
    for (const secret of [
      sim.token,
      'admin@admin.net',
      '"admin"',
      'not-the-password',
      exchanged ?? '',
    ])
      expect(file).not.toContain(secret)
  })
})
