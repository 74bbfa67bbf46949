// Adding, keeping and removing an admin's own XO instances, against simulators over TLS with
// certificates made here. The keychain is a stand-in (MemorySecretStore): the real Secret
// Service is exercised in src-main/vault/keychain.test.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { EventHub } from '../app-events/event-hub'
import { generateCertificate, startSimulator, type RunningSimulator } from '../simulator'
import { keychainFailure, MemorySecretStore, type SecretStore } from '../vault/keychain'
import { MemoryVault } from '../vault/memory-vault'
import { caSignedCertificate } from '../test-support/test-ca'
import { ConfigStore } from './config-store'
import { connectInstance } from './connect'
import { Connections, detailsOf } from './connections'
import { InstanceRegistry } from './instance-registry'

let dir: string
let sims: RunningSimulator[]
let world: ReturnType<typeof makeWorld>
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-connections-'))
  sims = []
  world = makeWorld()
})
afterEach(async () => {
  await world.registry.closeAll()
  await Promise.all(sims.map((s) => s.close()))
  await rm(dir, { recursive: true, force: true })
})

/** What the app core wires, around a given config folder. */
function makeWorld(secrets: SecretStore = new MemorySecretStore()) {
  const registry = new InstanceRegistry()
  const tokens = new MemoryVault()
  const hub = new EventHub()
  const logs: string[] = []
  const connections = new Connections({
    store: new ConfigStore(dir),
    secrets,
    tokens,
    log: (line) => void logs.push(line),
    machine: 'test-box',
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
        }),
    },
  })
  return { registry, tokens, secrets, connections, logs }
}

async function tlsSimulator(): Promise<{ sim: RunningSimulator; fingerprint: string }> {
  const cert = await generateCertificate()
  const sim = await startSimulator({ tls: cert, seed: 'connections', life: false })
  sims.push(sim)
  return { sim, fingerprint: cert.fingerprint256 }
}

const signal = (): AbortSignal => AbortSignal.timeout(10_000)

async function failureOf(work: Promise<unknown>): Promise<AppFailure> {
  try {
    await work
  } catch (err) {
    if (err instanceof AppFailure) return err
    throw err
  }
  throw new Error('it worked')
}

describe('adding an XO', () => {
  it('shows a self-signed certificate on first contact, then works once it is pinned', async () => {
    const { sim, fingerprint } = await tlsSimulator()
    const seen = await world.connections.inspect(sim.url.replace('/rest/v0', ''), signal())
    expect(seen.trustedBySystem).toBe(false)
    expect(seen.certificate?.fingerprint256).toBe(fingerprint)
    expect(sim.lab.requests).toEqual([])

    const added = await world.connections.add(
      {
        name: 'Production',
        address: seen.url,
        environment: 'production',
        trust: { kind: 'pinned', fingerprint256: fingerprint },
        signIn: { method: 'token', token: sim.token },
      },
      signal(),
    )
    await expect(world.secrets.read(added.id)).resolves.toBe(sim.token)
    const instance = world.registry.get(added.id)
    await instance.live.stream.whenLive(signal())
    await instance.live.cache.sync()
    expect(instance.live.cache.all('vms')).toHaveLength(sim.lab.store.count('vms'))
  })

  it('exchanges a user name and password for a token once, and keeps no password anywhere', async () => {
    const { sim, fingerprint } = await tlsSimulator()
    const added = await world.connections.add(
      {
        name: 'DR site',
        address: sim.url,
        trust: { kind: 'pinned', fingerprint256: fingerprint },
        signIn: {
          method: 'password',
          user: 'admin@admin.net',
          password: 'admin',
          expiresIn: '1 day',
        },
      },
      signal(),
    )
    const token = await world.secrets.read(added.id)
    expect(token).toBeDefined()
    expect(token).not.toBe('admin')
    const record = sim.lab.auth.tokens.get(token ?? '')
    expect(record?.description).toBe('XO Desk on test-box')
    expect(added.tokenExpiresAt).toBeGreaterThan(Date.now())
    const file = await readFile(join(dir, 'instances.json'), 'utf8')
    expect(file).not.toContain('admin"')
    expect(file).not.toContain(token)
    expect(file).toContain('"user": "admin@admin.net"')
  })

  it('refuses a wrong password and saves nothing', async () => {
    const { sim, fingerprint } = await tlsSimulator()
    const failure = await failureOf(
      world.connections.add(
        {
          name: 'Lab',
          address: sim.url,
          trust: { kind: 'pinned', fingerprint256: fingerprint },
          signIn: { method: 'password', user: 'admin@admin.net', password: 'wrong' },
        },
        signal(),
      ),
    )
    expect(failure.appError.code).toBe('auth-invalid')
    expect(world.connections.configs).toEqual([])
    expect(world.registry.list()).toEqual([])
    await expect(readFile(join(dir, 'instances.json'))).rejects.toThrow(/ENOENT/)
  })

  it('refuses a token XO does not know, and saves nothing', async () => {
    const { sim, fingerprint } = await tlsSimulator()
    const failure = await failureOf(
      world.connections.add(
        {
          name: 'Lab',
          address: sim.url,
          trust: { kind: 'pinned', fingerprint256: fingerprint },
          signIn: { method: 'token', token: 'not-a-token' },
        },
        signal(),
      ),
    )
    expect(failure.appError.code).toBe('auth-expired')
    expect(world.connections.configs).toEqual([])
  })

  it('refuses plain HTTP to another computer before connecting, and warns about it on this one', async () => {
    const failure = await failureOf(world.connections.inspect('http://xo.example.net', signal()))
    expect(failure.appError.message).toContain('plain HTTP')
    const sim = await startSimulator({ seed: 'http', life: false })
    sims.push(sim)
    const seen = await world.connections.inspect(sim.url, signal())
    expect(seen.warnings.join(' ')).toContain('Plain HTTP')
  })

  it('refuses a second instance with the same name', async () => {
    const { sim, fingerprint } = await tlsSimulator()
    const input = {
      name: 'Production',
      address: sim.url,
      trust: { kind: 'pinned' as const, fingerprint256: fingerprint },
      signIn: { method: 'token' as const, token: sim.token },
    }
    await world.connections.add(input, signal())
    const failure = await failureOf(
      world.connections.add({ ...input, name: 'production' }, signal()),
    )
    expect(failure.appError.code).toBe('conflict')
  })
})

describe('the next start', () => {
  it('reconnects every saved instance with its token from the keychain', async () => {
    const { sim, fingerprint } = await tlsSimulator()
    const added = await world.connections.add(
      {
        name: 'Production',
        address: sim.url,
        trust: { kind: 'pinned', fingerprint256: fingerprint },
        signIn: { method: 'token', token: sim.token },
      },
      signal(),
    )
    const secrets = world.secrets
    await world.registry.closeAll()
    // A new process: same folder, same keychain, nothing in memory.
    world = makeWorld()
    for (const id of [added.id]) await world.secrets.write(id, (await secrets.read(id)) ?? '')
    expect(await world.connections.start()).toEqual([])
    const instance = world.registry.get(added.id)
    await instance.live.stream.whenLive(signal())
    expect(world.connections.find('production')?.id).toBe(added.id)
  })

  it('removing an instance deletes its settings and its keychain entry', async () => {
    const { sim, fingerprint } = await tlsSimulator()
    const added = await world.connections.add(
      {
        name: 'Production',
        address: sim.url,
        trust: { kind: 'pinned', fingerprint256: fingerprint },
        signIn: { method: 'token', token: sim.token },
      },
      signal(),
    )
    await world.connections.remove('Production')
    expect(await world.secrets.read(added.id)).toBeUndefined()
    expect(world.registry.has(added.id)).toBe(false)
    expect(JSON.parse(await readFile(join(dir, 'instances.json'), 'utf8')).instances).toEqual([])
  })
})

describe('a computer without a keychain', () => {
  /** A keychain that cannot be reached, failing as @napi-rs/keyring does without a Secret Service. */
  const noKeychain: SecretStore = {
    read: () =>
      Promise.reject(keychainFailure(new Error('Platform secure storage failure'), 'linux')),
    write: () =>
      Promise.reject(keychainFailure(new Error('Platform secure storage failure'), 'linux')),
    erase: () =>
      Promise.reject(keychainFailure(new Error('Platform secure storage failure'), 'linux')),
  }

  it('says the token cannot be saved and saves nothing, then keeps it for this session only when asked', async () => {
    world = makeWorld(noKeychain)
    const { sim, fingerprint } = await tlsSimulator()
    const input = {
      name: 'Production',
      address: sim.url,
      trust: { kind: 'pinned' as const, fingerprint256: fingerprint },
      signIn: { method: 'token' as const, token: sim.token },
    }
    const failure = await failureOf(world.connections.add(input, signal()))
    expect(failure.appError.code).toBe('keychain-unavailable')
    expect(failure.appError.action).toContain('this session only')
    expect(world.connections.configs).toEqual([])

    const added = await world.connections.add({ ...input, tokenStorage: 'session' }, signal())
    expect(added.tokenStorage).toBe('session')
    await world.registry.get(added.id).live.stream.whenLive(signal())
    const file = await readFile(join(dir, 'instances.json'), 'utf8')
    expect(file).not.toContain(sim.token)
  })
})

describe('an XO signed by the organisation’s own CA', () => {
  it('is added by trusting that CA, and a PEM that is not a CA is refused before connecting', async () => {
    const { caPem, leaf } = await caSignedCertificate()
    const sim = await startSimulator({ tls: leaf, seed: 'ca', life: false })
    sims.push(sim)
    const input = {
      name: 'Corp XO',
      address: sim.url,
      signIn: { method: 'token' as const, token: sim.token },
    }
    const notCa = await failureOf(
      world.connections.add({ ...input, trust: { kind: 'ca', caPem: [leaf.cert] } }, signal()),
    )
    expect(notCa.appError.message).toContain('is not a certificate authority')
    const garbage = await failureOf(
      world.connections.add(
        { ...input, trust: { kind: 'ca', caPem: ['-----BEGIN CERTIFICATE-----\nnope'] } },
        signal(),
      ),
    )
    expect(garbage.appError.message).toContain('not a readable PEM certificate')
    expect(sim.lab.requests).toEqual([])

    const added = await world.connections.add(
      { ...input, trust: { kind: 'ca', caPem: [caPem] } },
      signal(),
    )
    await world.registry.get(added.id).live.stream.whenLive(signal())
    expect(added.trust).toEqual({ kind: 'ca', caPem: [caPem] })
  })
})

describe('address warnings', () => {
  it('keeps showing that an instance is reached over plain HTTP on this computer', async () => {
    const sim = await startSimulator({ seed: 'plain-http', life: false })
    sims.push(sim)
    const added = await world.connections.add(
      {
        name: 'Local XO',
        address: sim.url,
        trust: { kind: 'system' },
        signIn: { method: 'token', token: sim.token },
      },
      signal(),
    )
    // What the sidebar shows of it (the app core opens instances with these details).
    expect(detailsOf(added).warnings?.join(' ')).toContain('Plain HTTP')
  })
})
