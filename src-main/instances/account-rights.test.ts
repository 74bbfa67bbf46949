// A non-admin XO account (RBAC v2): what it may not do is known in main before anything is sent,
// shown on its VM rows and refused in main in XO's own words.
import type { EventName, Events, InstanceSummary, InventoryPage, Result } from '@contract'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import { generateCertificate, startSimulator, type RunningSimulator } from '../simulator'
import { may } from '../xo/account'
import { vmActionPrivilege } from './instance-account'
import { TEST_CORE } from '../test-support/test-core'

let core: AppCore
let sim: RunningSimulator
let fingerprint256: string
const events: { name: EventName; payload: Events[EventName] }[] = []
beforeEach(async () => {
  events.length = 0
  const cert = await generateCertificate()
  fingerprint256 = cert.fingerprint256
  sim = await startSimulator({ tls: cert, seed: 'rights', life: false })
  core = createAppCore({
    ...TEST_CORE,
    log: () => undefined,
  })
  core.hub.subscribe((name, payload) => events.push({ name, payload }))
})
afterEach(async () => {
  await core.dispose()
  await sim.close()
})

const signal = (): AbortSignal => AbortSignal.timeout(10_000)

async function until<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find()
    if (found !== undefined) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('timed out')
}

it('names the account and the API version, and disables then refuses what the account may not do', async () => {
  const added = (await core.dispatch(
    'instances.add',
    {
      name: 'Staging',
      address: sim.url,
      trust: { kind: 'pinned', fingerprint256 },
      signIn: { method: 'password', user: 'operator@lab.local', password: 'operator' },
    },
    signal(),
  )) as Result<InstanceSummary>
  if (!added.ok) throw new Error(added.error.message)
  const id = added.value.id
  const updated = await until(() => {
    const e = events.find((x) => x.name === 'instance.updated')
    return e ? (e.payload as InstanceSummary) : undefined
  })
  expect(updated.account).toEqual({
    user: 'operator@lab.local',
    admin: false,
    apiVersion: '0.39.0',
    missing: [],
  })

  const page = (await core.dispatch(
    'inventory.page',
    { instanceId: id, collection: 'vms', offset: 0, limit: 500 },
    signal(),
  )) as Result<InventoryPage>
  if (!page.ok) throw new Error(page.error.message)
  // The lab's operator sees the staging VMs and may start, shut down and reboot them cleanly,
  // but holds no privilege to force them off.
  const vm = page.value.items.find((v) => v['power_state'] === 'Running')
  if (!vm) throw new Error('the operator sees no running VM')
  const refused = vm['$refused'] as Record<string, string> | undefined
  expect(refused?.['hard_shutdown']).toBe('vm:shutdown:hard')
  expect(refused?.['clean_shutdown']).toBeUndefined()

  const before = sim.lab.requests.filter((r) => r.startsWith('POST /vms')).length
  const res = await core.dispatch(
    'vms.action',
    { instanceId: id, vmId: vm.id, action: 'hard_shutdown' },
    signal(),
  )
  expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  if (!res.ok)
    expect(res.error.message).toContain(`lacks vm:shutdown:hard on ${String(vm['name_label'])}`)
  expect(sim.lab.requests.filter((r) => r.startsWith('POST /vms')).length).toBe(before)

  // XO agrees: what main let through, XO accepts.
  const ok = await core.dispatch(
    'vms.action',
    { instanceId: id, vmId: vm.id, action: 'clean_shutdown' },
    signal(),
  )
  expect(ok).toMatchObject({ ok: true })
  const account = core.instances.get(id).account?.account
  if (!account) throw new Error('no account')
  expect(may(account, vmActionPrivilege('clean_shutdown'), vm)).toBe(true)
})

it('refuses nothing for an admin account', async () => {
  const added = (await core.dispatch(
    'instances.add',
    {
      name: 'Production',
      address: sim.url,
      trust: { kind: 'pinned', fingerprint256 },
      signIn: { method: 'token', token: sim.token },
    },
    signal(),
  )) as Result<InstanceSummary>
  if (!added.ok) throw new Error(added.error.message)
  await until(() => events.find((x) => x.name === 'instance.updated'))
  const page = (await core.dispatch(
    'inventory.page',
    { instanceId: added.value.id, collection: 'vms', offset: 0, limit: 500 },
    signal(),
  )) as Result<InventoryPage>
  if (!page.ok) throw new Error(page.error.message)
  expect(page.value.items.some((vm) => vm['$refused'] !== undefined)).toBe(false)
})

it('forces a VM off on a production instance only with its name typed to confirm', async () => {
  const added = (await core.dispatch(
    'instances.add',
    {
      name: 'Production',
      address: sim.url,
      environment: 'production',
      trust: { kind: 'pinned', fingerprint256 },
      signIn: { method: 'token', token: sim.token },
    },
    signal(),
  )) as Result<InstanceSummary>
  if (!added.ok) throw new Error(added.error.message)
  const instance = core.instances.get(added.value.id)
  await instance.live.ready(signal())
  const vm = instance.live.cache.all('vms').find((v) => v['power_state'] === 'Running')
  if (!vm) throw new Error('no running VM')
  const name = String(vm['name_label'])
  const input = { instanceId: added.value.id, vmId: vm.id, action: 'hard_shutdown' as const }

  for (const confirmName of [undefined, 'not-the-name']) {
    const res = await core.dispatch(
      'vms.action',
      { ...input, ...(confirmName ? { confirmName } : {}) },
      signal(),
    )
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    if (!res.ok) expect(res.error.action).toContain(`Type "${name}"`)
  }
  expect(sim.lab.requests.filter((r) => r.startsWith('POST /vms'))).toEqual([])
  const confirmed = await core.dispatch('vms.action', { ...input, confirmName: name }, signal())
  expect(confirmed).toMatchObject({ ok: true })
})
