// A read-only instance is enforced in main: a mutating request refused there, whatever the
// renderer shows or sends.
import type { InstanceSummary, Result } from '@contract'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import { generateCertificate, startSimulator, type RunningSimulator } from '../simulator'
import { TEST_CORE } from '../test-support/test-core'

let core: AppCore
let sim: RunningSimulator
let fingerprint256: string
beforeEach(async () => {
  const cert = await generateCertificate()
  fingerprint256 = cert.fingerprint256
  sim = await startSimulator({ tls: cert, seed: 'read-only', life: false })
  core = createAppCore({
    ...TEST_CORE,
    log: () => undefined,
  })
})
afterEach(async () => {
  await core.dispose()
  await sim.close()
})

const signal = (): AbortSignal => AbortSignal.timeout(10_000)

it('refuses a VM action on a read-only instance in main, even when the renderer sends it', async () => {
  const added = (await core.dispatch(
    'instances.add',
    {
      name: 'Production',
      address: sim.url,
      readOnly: true,
      trust: { kind: 'pinned', fingerprint256 },
      signIn: { method: 'token', token: sim.token },
    },
    signal(),
  )) as Result<InstanceSummary>
  if (!added.ok) throw new Error(added.error.message)
  expect(added.value.readOnly).toBe(true)
  const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
  const res = await core.dispatch(
    'vms.action',
    { instanceId: added.value.id, vmId: String(vm?.['id']), action: 'start' },
    signal(),
  )
  expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  if (res.ok) return
  expect(res.error.message).toContain('Production is read-only')
  expect(sim.lab.requests.filter((r) => r.startsWith('POST /vms'))).toEqual([])
  expect(sim.lab.store.get('vms', String(vm?.['id']))?.['power_state']).toBe('Halted')
})
