// A VM's console through main, against the simulator's console proxy over TLS: what the admin
// sees when the certificate changed, when the VM is halted, and on a read-only instance.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConsoleNotice } from '@contract'
import { afterEach, describe, expect, it } from 'vitest'
import { EventHub } from '../app-events/event-hub'
import { AuditLog } from '../audit/audit-log'
import { connectInstance } from '../instances/connect'
import { InstanceRegistry, type Instance } from '../instances/instance-registry'
import { generateCertificate, type SelfSignedCertificate } from '../simulator/tls'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { pinnedPolicy } from '../tls/trust'
import { MemoryVault } from '../vault/memory-vault'
import type { ConsolePort } from './console-port'
import { ConsoleService } from './console-service'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done()
})

async function lab(cert: SelfSignedCertificate, port?: number): Promise<RunningSimulator> {
  const sim = await startSimulator({
    seed: 'console',
    life: false,
    tls: { cert: cert.cert, key: cert.key },
    ...(port ? { port } : {}),
  })
  cleanup.push(() => sim.close())
  return sim
}

/** The console service over one instance that trusts exactly `pinned`. */
async function service(sim: RunningSimulator, pinned: string, readOnly = false) {
  const vault = new MemoryVault()
  vault.set('lab', sim.token)
  const instance: Instance = connectInstance({
    id: 'lab',
    label: 'Lab',
    kind: 'xo',
    url: sim.url,
    vault,
    hub: new EventHub(),
    trust: pinnedPolicy(pinned),
    details: { readOnly },
  })
  const instances = new InstanceRegistry()
  await instances.add(instance)
  cleanup.push(() => instances.closeAll())
  const dir = await mkdtemp(join(tmpdir(), 'xo-desk-console-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  const audit = new AuditLog(dir)
  return { consoles: new ConsoleService({ instances, audit, log: () => undefined }), audit }
}

/** A port that records what main posts, and lets the test send bytes. */
function recordingPort() {
  const posted: (ArrayBuffer | ConsoleNotice)[] = []
  const listeners: ((data: unknown) => void)[] = []
  let closed = false
  const port: ConsolePort = {
    post: (m) => void posted.push(m),
    onMessage: (l) => void listeners.push(l),
    onClose: () => undefined,
    close: () => void (closed = true),
  }
  return {
    port,
    posted,
    send: (bytes: Uint8Array) => listeners.forEach((l) => l(bytes)),
    notices: () => posted.filter((p): p is ConsoleNotice => !(p instanceof ArrayBuffer)),
    bytes: () =>
      posted.filter((p) => p instanceof ArrayBuffer).reduce((n, p) => n + p.byteLength, 0),
    closed: () => closed,
  }
}

const running = (sim: RunningSimulator) => {
  const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Running')
  if (!vm) throw new Error('no running VM')
  return { id: vm.id, name: String(vm['name_label']) }
}
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25))
}

describe('a VM console', () => {
  it('is refused with both fingerprints, and sends no token, when the certificate changed after it was checked', async () => {
    const [a, b] = await Promise.all([
      generateCertificate('127.0.0.1'),
      generateCertificate('127.0.0.1'),
    ])
    const first = await lab(a)
    const { consoles } = await service(first, a.fingerprint256)
    const vm = running(first)
    const ticket = await consoles.open(
      { instanceId: 'lab', collection: 'vms', id: vm.id },
      AbortSignal.timeout(10_000),
    )
    // The same address now answers with another certificate.
    const port = Number(new URL(first.url).port)
    await first.close()
    const second = await lab(b, port)
    const pipe = recordingPort()
    consoles.attach(ticket.consoleId, pipe.port)
    await until(() => pipe.closed())

    const ended = pipe.notices().find((n) => n.kind === 'ended')
    expect(ended?.kind === 'ended' && ended.error.code).toBe('tls-changed')
    const message = ended?.kind === 'ended' ? ended.error.message : ''
    expect(message).toContain(a.fingerprint256)
    expect(message).toContain(b.fingerprint256)
    // Nothing reached the server with the other certificate: no console, no REST request.
    expect(second.consoles.report(vm.id).sessions).toBe(0)
    expect(second.lab.requests).toEqual([])
  })

  it('is refused before anything is opened when the VM is halted, and the refusal is audited', async () => {
    const cert = await generateCertificate('127.0.0.1')
    const sim = await lab(cert)
    const { consoles, audit } = await service(sim, cert.fingerprint256)
    const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
    const name = String(vm?.['name_label'])
    await expect(
      consoles.open(
        { instanceId: 'lab', collection: 'vms', id: String(vm?.id) },
        AbortSignal.timeout(10_000),
      ),
    ).rejects.toMatchObject({
      appError: {
        code: 'conflict',
        message: `${name} is halted: a VM has a console only while it runs.`,
      },
    })
    await audit.flush()
    expect((await audit.list())[0]).toMatchObject({ action: 'console.open', outcome: 'refused' })
  })

  it('opens a host’s console as its control domain’s, named after the host', async () => {
    const cert = await generateCertificate('127.0.0.1')
    const sim = await lab(cert)
    const { consoles } = await service(sim, cert.fingerprint256)
    const host = [...sim.lab.store.list('hosts')].find((h) => h['power_state'] === 'Running')
    const ticket = await consoles.open(
      { instanceId: 'lab', collection: 'hosts', id: String(host?.id) },
      AbortSignal.timeout(10_000),
    )
    expect(ticket.title).toBe(`${String(host?.['name_label'])} (control domain)`)
    const pipe = recordingPort()
    consoles.attach(ticket.consoleId, pipe.port)
    await until(() => pipe.bytes() >= 12)
    expect(new TextDecoder().decode(pipe.posted.find((p) => p instanceof ArrayBuffer))).toBe(
      'RFB 003.008\n',
    )
    expect(sim.consoles.open(String(host?.['controlDomain']))).toBe(1)
    consoles.close(ticket.consoleId)
  })

  it('on a read-only instance shows the screen but passes no key to the VM', async () => {
    const cert = await generateCertificate('127.0.0.1')
    const sim = await lab(cert)
    const { consoles } = await service(sim, cert.fingerprint256, true)
    const vm = running(sim)
    const ticket = await consoles.open(
      { instanceId: 'lab', collection: 'vms', id: vm.id },
      AbortSignal.timeout(10_000),
    )
    expect(ticket.viewOnly).toBe(true)
    const pipe = recordingPort()
    consoles.attach(ticket.consoleId, pipe.port)
    await until(() => pipe.bytes() >= 12) // the server's version
    pipe.send(new TextEncoder().encode('RFB 003.008\n'))
    await until(() => pipe.bytes() >= 14) // security types
    pipe.send(Uint8Array.of(1)) // None
    await until(() => pipe.bytes() >= 18) // SecurityResult
    pipe.send(Uint8Array.of(1)) // ClientInit, shared
    await until(() => pipe.bytes() > 18 + 24) // ServerInit
    // A key press (a), then a full-screen update request.
    pipe.send(Uint8Array.of(4, 1, 0, 0, 0, 0, 0, 0x61, 3, 0, 0, 0, 0, 0, 0, 100, 0, 100))
    const before = pipe.bytes()
    await until(() => pipe.bytes() > before) // the update arrived: the key was before it
    expect(sim.consoles.report(vm.id).keys).toEqual([])
    consoles.close(ticket.consoleId)
  })
})
