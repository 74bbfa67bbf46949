// An instant, offline-capable start: a saved instance opens on its last known inventory from disk,
// browsable while its XO is down (marked stale, actions refused in main), and the live read
// replaces it once XO is back. The real app core, a TLS simulator, a temporary config folder.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type {
  ConnectionState,
  InstanceSummary,
  InventoryDiff,
  InventoryPage,
  Result,
} from '@contract'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import {
  generateCertificate,
  startSimulator,
  type RunningSimulator,
  type SelfSignedCertificate,
} from '../simulator'
import { MemorySecretStore } from '../vault/keychain'
import { TEST_CORE } from '../test-support/test-core'

let dir: string
let secrets: MemorySecretStore
let cert: SelfSignedCertificate
let cores: AppCore[]
let sims: RunningSimulator[]
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-offline-'))
  secrets = new MemorySecretStore()
  cert = await generateCertificate()
  cores = []
  sims = []
})
afterEach(async () => {
  await Promise.all(cores.map((c) => c.dispose()))
  await Promise.all(sims.map((s) => s.close()))
  await rm(dir, { recursive: true, force: true })
})

const signal = (): AbortSignal => AbortSignal.timeout(15_000)

function startCore(): AppCore {
  const core = createAppCore({
    ...TEST_CORE,
    log: () => undefined,
    storage: { configDir: dir, secrets },
  })
  cores.push(core)
  return core
}

async function simulator(options: { seed: string; port?: number; token?: string }) {
  const sim = await startSimulator({ tls: cert, life: false, vms: 30, ...options })
  sims.push(sim)
  return sim
}

async function call<T>(core: AppCore, method: string, input: unknown): Promise<T> {
  const res = await core.dispatch(method, input, signal())
  if (!res.ok) throw new Error(`${method}: ${res.error.message}`)
  return res.value as T
}

const vmPage = (core: AppCore, instanceId: string) =>
  core.dispatch(
    'inventory.page',
    { instanceId, collection: 'vms', offset: 0, limit: 1_000, sort: { field: 'name_label' } },
    signal(),
  ) as Promise<Result<InventoryPage>>

/** Resolves with the first state pushed for the instance that passes `test`, or the current one. */
function stateWhere(core: AppCore, id: string, test: (s: ConnectionState) => boolean) {
  return new Promise<ConnectionState>((resolve) => {
    const now = core.instances.get(id).live.connection()
    if (test(now)) return resolve(now)
    const off = core.hub.subscribe((name, payload) => {
      if (name !== 'instance.state') return
      const state = payload as ConnectionState
      if (state.instanceId === id && test(state)) {
        off()
        resolve(state)
      }
    })
  })
}

/** Adds an instance to a first app session, lets it read everything, and quits. */
async function firstSession(sim: RunningSimulator): Promise<string> {
  const core = startCore()
  const added = await call<InstanceSummary>(core, 'instances.add', {
    name: 'Production',
    address: sim.url,
    trust: { kind: 'pinned', fingerprint256: cert.fingerprint256 },
    signIn: { method: 'token', token: sim.token },
  })
  const live = core.instances.get(added.id).live
  await live.stream.whenLive(signal())
  await live.ready(signal())
  cores.splice(cores.indexOf(core), 1)
  await core.dispose()
  return added.id
}

/** A first session against a lab, then XO goes down and the app starts again. */
async function startWhileDown() {
  const sim = await simulator({ seed: 'offline-start' })
  const port = Number(new URL(sim.url).port)
  const id = await firstSession(sim)
  const names = [...sim.lab.store.list('vms')].map((vm) => vm['name_label']).sort()
  await sim.close()
  sims.length = 0
  const core = startCore()
  await call(core, 'instances.list', undefined) // once the saved instances are opened
  return { core, id, port, token: sim.token, names }
}

it('keeps the last known inventory on disk, readable only by its owner and without the token', async () => {
  const sim = await simulator({ seed: 'offline-file' })
  const id = await firstSession(sim)
  const file = join(dir, 'inventory', `${id}.json`)
  const text = await readFile(file, 'utf8')
  expect(text).not.toContain(sim.token)
  expect(text).toContain(String([...sim.lab.store.list('vms')][0]?.['name_label']))
  if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600)
})

it('opens on the last known VMs at once while XO is down, marked stale, and refuses actions with the reason', async () => {
  const { core, id, names } = await startWhileDown()
  const [listed] = await call<InstanceSummary[]>(core, 'instances.list', undefined)
  expect(listed?.id).toBe(id)
  expect(listed?.live.stale?.since).toBeGreaterThan(0)
  const page = await vmPage(core, id)
  if (!page.ok) throw new Error(page.error.message)
  expect(page.value.total).toBe(30)
  expect(page.value.items.map((vm) => vm['name_label']).sort()).toEqual(names)

  const down = await stateWhere(core, id, (s) => s.state === 'reconnecting' && !!s.error)
  expect(down.stale).toEqual(listed?.live.stale)
  expect(down.error?.code).toBe('unreachable')
  const refused = await core.dispatch(
    'vms.action',
    { instanceId: id, vmId: page.value.items[0]?.id ?? '', action: 'start' },
    signal(),
  )
  if (refused.ok) throw new Error('the action went through')
  expect(refused.error.code).toBe('unreachable')
  expect(refused.error.message).toContain('cannot reach Production')
  expect(refused.error.message).toContain(down.error?.message.replace(/\.$/, ''))
  expect(refused.error.action).toContain('Live')
})

it('replaces the last known VMs with the live read once XO is back, and is no longer stale', async () => {
  const { core, id, port, token, names } = await startWhileDown()
  await stateWhere(core, id, (s) => s.state === 'reconnecting')
  const diffs: InventoryDiff[] = []
  core.hub.subscribe((name, payload) => {
    if (name === 'inventory.diff') diffs.push(payload as InventoryDiff)
  })
  // Another lab on the same address, so what the page shows tells which one it comes from.
  const back = await simulator({ seed: 'offline-start-back', port, token })
  core.instances.get(id).live.stream.reconnectNow()
  const live = await stateWhere(core, id, (s) => s.state === 'live')
  expect(live.stale).toBeUndefined()
  // The renderer hears of it as a resync, and reads its pages again.
  await vi.waitFor(() => expect(diffs.some((d) => d.collection === 'vms' && d.resynced)).toBe(true))
  const fresh = await vmPage(core, id)
  if (!fresh.ok) throw new Error(fresh.error.message)
  const shown = fresh.value.items.map((v) => v['name_label']).sort()
  expect(shown).toEqual([...back.lab.store.list('vms')].map((v) => v['name_label']).sort())
  expect(shown).not.toEqual(names)
  const [again] = await call<InstanceSummary[]>(core, 'instances.list', undefined)
  expect(again?.live.stale).toBeUndefined()
})

it('starts as without a snapshot when the file is corrupt', async () => {
  const sim = await simulator({ seed: 'offline-corrupt' })
  const id = await firstSession(sim)
  await writeFile(join(dir, 'inventory', `${id}.json`), '{"version":1,"collections":{"vms":[{')

  const core = startCore()
  const [listed] = await call<InstanceSummary[]>(core, 'instances.list', undefined)
  expect(listed?.live.stale).toBeUndefined()
  // The page waits for the live read, as on a first start.
  const page = await vmPage(core, id)
  if (!page.ok) throw new Error(page.error.message)
  expect(page.value.total).toBe(sim.lab.store.count('vms'))
})

it('forgets the inventory on disk of a removed instance', async () => {
  const sim = await simulator({ seed: 'offline-remove' })
  const id = await firstSession(sim)
  const core = startCore()
  await call(core, 'instances.list', undefined)
  await call(core, 'instances.remove', { instanceId: id })
  await expect(stat(join(dir, 'inventory', `${id}.json`))).rejects.toThrow(/ENOENT/)
})
