// Instance settings (name, colour, environment, read-only, order) and the Certificates screen's
// list, against simulators over TLS with certificates made here. The keychain is a stand-in
// (MemorySecretStore); the real Secret Service is exercised by the CLI's tests.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { InstanceSummary } from '@contract'
import { AppFailure } from '../app-failure'
import { EventHub } from '../app-events/event-hub'
import { createAppCore } from '../app-core'
import {
  generateCertificate,
  startSimulator,
  type RunningSimulator,
  type SelfSignedCertificate,
} from '../simulator'
import { MemorySecretStore } from '../vault/keychain'
import { MemoryVault } from '../vault/memory-vault'
import { ConfigStore } from './config-store'
import { connectInstance } from './connect'
import { certificateExpiry, Connections, detailsOf } from './connections'
import { InstanceRegistry } from './instance-registry'
import { TEST_CORE } from '../test-support/test-core'

let dir: string
let sims: RunningSimulator[]
let world: ReturnType<typeof makeWorld>
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-settings-'))
  sims = []
  world = makeWorld()
})
afterEach(async () => {
  await world.registry.closeAll()
  await Promise.all(sims.map((s) => s.close()))
  await rm(dir, { recursive: true, force: true })
})

/** What the app core wires, around the test's config folder. */
function makeWorld() {
  const registry = new InstanceRegistry()
  const tokens = new MemoryVault()
  const secrets = new MemorySecretStore()
  const hub = new EventHub()
  const connections = new Connections({
    store: new ConfigStore(dir),
    secrets,
    tokens,
    log: () => undefined,
    live: {
      registry,
      open: (config) =>
        connectInstance({
          id: config.id,
          label: config.name,
          kind: 'xo',
          url: config.url,
          vault: tokens,
          trust: config.trust,
          hub,
          details: detailsOf(config),
        }),
    },
  })
  return { registry, tokens, secrets, connections }
}

async function tlsSimulator(
  cert?: SelfSignedCertificate,
  port = 0,
): Promise<{ sim: RunningSimulator; cert: SelfSignedCertificate }> {
  const c = cert ?? (await generateCertificate())
  const sim = await startSimulator({ tls: c, port, seed: 'settings', life: false })
  sims.push(sim)
  return { sim, cert: c }
}

const signal = (): AbortSignal => AbortSignal.timeout(15_000)

async function failureOf(work: Promise<unknown>): Promise<AppFailure> {
  try {
    await work
  } catch (err) {
    if (err instanceof AppFailure) return err
    throw err
  }
  throw new Error('it worked')
}

async function addPinned(name: string, sim: RunningSimulator, cert: SelfSignedCertificate) {
  return world.connections.add(
    {
      name,
      address: sim.url,
      environment: 'production',
      trust: { kind: 'pinned', fingerprint256: cert.fingerprint256 },
      signIn: { method: 'token', token: sim.token },
    },
    signal(),
  )
}

const savedFile = async (): Promise<{ instances: { name: string; [k: string]: unknown }[] }> =>
  JSON.parse(await readFile(join(dir, 'instances.json'), 'utf8')) as {
    instances: { name: string }[]
  }

describe('instance settings', () => {
  it('a rename shows at once in the list, with its new environment and colour, and keeps the token and the connection', async () => {
    const { sim, cert } = await tlsSimulator()
    const added = await addPinned('Production', sim, cert)
    await world.registry.get(added.id).live.stream.whenLive(signal())

    await world.connections.update('production', {
      name: '  Prod EU  ',
      environment: 'staging',
      color: '#AA3300',
      readOnly: true,
    })

    const [shown] = world.registry.list()
    expect(shown).toMatchObject({
      id: added.id,
      label: 'Prod EU',
      environment: 'staging',
      color: '#aa3300',
      readOnly: true,
      live: { state: 'live' },
    })
    await expect(world.secrets.read(added.id)).resolves.toBe(sim.token)
    expect(world.tokens.get(added.id)).toBe(sim.token)
    const [saved] = (await savedFile()).instances
    expect(saved).toMatchObject({ name: 'Prod EU', environment: 'staging', readOnly: true })
    expect(JSON.stringify(await savedFile())).not.toContain(sim.token)
  })

  it('refuses to rename an instance to another one’s name, whatever its case, and saves nothing', async () => {
    const { sim, cert } = await tlsSimulator()
    await addPinned('Production', sim, cert)
    await addPinned('Lab', sim, cert)

    const failure = await failureOf(world.connections.update('Lab', { name: 'PRODUCTION' }))
    expect(failure.appError.code).toBe('conflict')
    expect(failure.appError.action).toContain('another name')
    expect((await savedFile()).instances.map((i) => i.name)).toEqual(['Production', 'Lab'])
  })

  it('refuses a colour that is not #rrggbb and an environment label longer than 40 characters', async () => {
    const { sim, cert } = await tlsSimulator()
    await addPinned('Production', sim, cert)
    for (const color of ['red', '#12345', '#1234567', '#ggg000']) {
      const failure = await failureOf(world.connections.update('Production', { color }))
      expect(failure.appError).toMatchObject({ code: 'invalid-input' })
      expect(failure.appError.action).toContain('#rrggbb')
    }
    const long = await failureOf(
      world.connections.update('Production', { environment: 'x'.repeat(41) }),
    )
    expect(long.appError.code).toBe('invalid-input')
    const [saved] = (await savedFile()).instances
    expect(saved).toMatchObject({ color: '#2f6fde', environment: 'production' })
  })

  it('two changes saved at once, from the app and the command line, both land', async () => {
    const { sim, cert } = await tlsSimulator()
    await addPinned('Production', sim, cert)
    // The CLI: another registry on the same folder, read before either change.
    const cli = new Connections({
      store: new ConfigStore(dir),
      secrets: world.secrets,
      tokens: new MemoryVault(),
      log: () => undefined,
    })
    await cli.start()

    await Promise.all([
      world.connections.update('Production', { color: '#112233' }),
      cli.update('Production', { environment: 'lab' }),
      world.connections.update('Production', { readOnly: true }),
    ])

    const [saved] = (await savedFile()).instances
    expect(saved).toMatchObject({ color: '#112233', environment: 'lab', readOnly: true })
  })
})

describe('the sidebar order', () => {
  it('is saved in instances.json, survives a restart, and lists the Demo lab first', async () => {
    const { sim, cert } = await tlsSimulator()
    for (const name of ['A', 'B', 'C']) await addPinned(name, sim, cert)
    const [a, b, c] = world.connections.configs.map((config) => config.id)

    await world.connections.reorder([c ?? '', a ?? '', b ?? ''])
    expect((await savedFile()).instances.map((i) => i.name)).toEqual(['C', 'A', 'B'])

    const order = world.connections.configs.map((config) => config.id)
    expect(world.registry.list(order).map((i) => i.label)).toEqual(['C', 'A', 'B'])

    await world.registry.closeAll()
    world = makeWorld()
    await world.connections.start()
    expect(world.connections.configs.map((config) => config.name)).toEqual(['C', 'A', 'B'])
  })

  it('refuses an order that names an instance twice, and keeps the old one', async () => {
    const { sim, cert } = await tlsSimulator()
    for (const name of ['A', 'B']) await addPinned(name, sim, cert)
    const [a] = world.connections.configs.map((config) => config.id)
    const failure = await failureOf(world.connections.reorder([a ?? '', a ?? '']))
    expect(failure.appError.code).toBe('invalid-input')
    expect((await savedFile()).instances.map((i) => i.name)).toEqual(['A', 'B'])
  })

  it('instances.list answers in the saved order, the Demo lab first', async () => {
    const core = createAppCore({
      ...TEST_CORE,
      demoLab: { life: false, seed: 'settings-order' },
      log: () => undefined,
      storage: { configDir: dir, secrets: new MemorySecretStore() },
    })
    try {
      const { sim, cert } = await tlsSimulator()
      const ids: string[] = []
      for (const name of ['First', 'Second']) {
        const res = await core.dispatch(
          'instances.add',
          {
            name,
            address: sim.url,
            trust: { kind: 'pinned', fingerprint256: cert.fingerprint256 },
            signIn: { method: 'token', token: sim.token },
          },
          signal(),
        )
        if (!res.ok) throw new Error(res.error.message)
        ids.push((res.value as InstanceSummary).id)
      }
      await core.dispatch('demo.open', undefined, signal())

      const reordered = await core.dispatch(
        'instances.reorder',
        { instanceIds: [...ids].reverse() },
        signal(),
      )
      expect(reordered.ok).toBe(true)
      const listed = await core.dispatch('instances.list', undefined, signal())
      if (!listed.ok) throw new Error(listed.error.message)
      expect((listed.value as InstanceSummary[]).map((i) => i.label)).toEqual([
        'Demo lab',
        'Second',
        'First',
      ])
    } finally {
      await core.dispose()
    }
  })
})

describe('the certificates of the saved instances', () => {
  it('shows the pinned certificate as presented, sending nothing but a handshake', async () => {
    const { sim, cert } = await tlsSimulator()
    const added = await addPinned('Production', sim, cert)
    // The live connection is closed, so any request the server sees now would be the probe's.
    await world.registry.closeAll()
    const before = sim.lab.requests.length

    const [entry] = await world.connections.certificates(signal())

    expect(entry).toMatchObject({
      instanceId: added.id,
      name: 'Production',
      trust: { kind: 'pinned', fingerprint256: cert.fingerprint256 },
      presented: { fingerprint256: cert.fingerprint256, selfSigned: true },
      trustedBySystem: false,
      changed: false,
    })
    expect(entry?.error).toBeUndefined()
    expect(entry?.presented?.subject).toContain('xo-desk-simulator')
    expect(JSON.stringify(entry)).not.toContain('BEGIN CERTIFICATE')
    expect(sim.lab.requests.length).toBe(before)
  })

  it('shows both fingerprints and says the certificate changed when the server presents another', async () => {
    const first = await tlsSimulator()
    await addPinned('Production', first.sim, first.cert)
    const port = Number(new URL(first.sim.url).port)
    await first.sim.close()
    sims.splice(sims.indexOf(first.sim), 1)
    const replaced = await generateCertificate()
    await tlsSimulator(replaced, port)

    const [entry] = await world.connections.certificates(signal())

    expect(entry).toMatchObject({
      trust: { kind: 'pinned', fingerprint256: first.cert.fingerprint256 },
      presented: { fingerprint256: replaced.fingerprint256 },
      changed: true,
    })
  })

  it('lists an unreachable instance with the reason, beside the others', async () => {
    const gone = await tlsSimulator()
    const up = await tlsSimulator()
    await addPinned('Gone', gone.sim, gone.cert)
    await addPinned('Up', up.sim, up.cert)
    await gone.sim.close()
    sims.splice(sims.indexOf(gone.sim), 1)

    const [unreachable, reachable] = await world.connections.certificates(signal())

    expect(unreachable).toMatchObject({ name: 'Gone', error: { code: 'unreachable' } })
    expect(unreachable?.presented).toBeUndefined()
    expect(unreachable?.error?.action).not.toBe('')
    expect(reachable).toMatchObject({
      name: 'Up',
      presented: { fingerprint256: up.cert.fingerprint256 },
    })
  })

  it('warns about a certificate that ends within 30 days, and one that has ended', async () => {
    const short = await tlsSimulator(await generateCertificate(undefined, { days: 5 }))
    const long = await tlsSimulator(await generateCertificate(undefined, { days: 365 }))
    await addPinned('Short', short.sim, short.cert)
    await addPinned('Long', long.sim, long.cert)

    const [soon, fine] = await world.connections.certificates(signal())

    expect(soon).toMatchObject({ name: 'Short', expiry: 'expiring' })
    expect(soon?.daysLeft).toBeLessThanOrEqual(5)
    expect(soon?.daysLeft).toBeGreaterThanOrEqual(4)
    expect(fine).toMatchObject({ name: 'Long', expiry: 'ok' })
    expect(fine?.daysLeft).toBeGreaterThan(300)

    const validTo = Date.parse(soon?.presented?.validTo ?? '')
    expect(certificateExpiry(new Date(validTo).toISOString(), validTo + 36 * 3600_000)).toEqual({
      daysLeft: -2,
      expiry: 'expired',
    })
  })
})
