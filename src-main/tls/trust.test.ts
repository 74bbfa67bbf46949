// Trusting an XO's certificate: first contact shows it without sending anything, a pin lets
// exactly that certificate through, and a swapped certificate is refused before any byte (and so
// the token) is sent, for REST calls and image downloads alike.
import { Agent, request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import {
  generateCertificate,
  startSimulator,
  type RunningSimulator,
  type SelfSignedCertificate,
} from '../simulator'
import { XoClient } from '../xo/client'
import { toXoAppError } from '../xo/errors'
import { XoEventStream } from '../xo/events'
import { caSignedCertificate } from '../test-support/test-ca'
import { normalizeFingerprint } from './certificate'
import { probeCertificate } from './probe'
import { connectorFor, pinnedPolicy, type TrustPolicy } from './trust'

const running: RunningSimulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()))
})

async function simulatorWith(
  cert: { cert: string; key: string },
  port = 0,
): Promise<RunningSimulator> {
  const sim = await startSimulator({ tls: cert, port, seed: 'tls', life: false })
  running.push(sim)
  return sim
}

const portOf = (sim: RunningSimulator): number => Number(new URL(sim.url).port)

function clientFor(sim: RunningSimulator, policy: TrustPolicy, token = sim.token): XoClient {
  return new XoClient({ baseUrl: sim.url, token: () => token, trust: policy })
}

/** The readable error a failed request ends with. */
async function failureOf(work: Promise<unknown>): Promise<ReturnType<typeof toXoAppError>> {
  try {
    await work
  } catch (err) {
    return toXoAppError(err, { host: 'unused' })
  }
  throw new Error('the request succeeded')
}

describe('first contact with a self-signed XO', () => {
  it('shows the certificate an admin must compare, and sends the server nothing', async () => {
    const cert = await generateCertificate()
    const sim = await simulatorWith(cert)
    const probe = await probeCertificate('127.0.0.1', portOf(sim))
    expect(probe.trusted).toBe(false)
    expect(probe.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
    expect(probe.certificate.fingerprint256).toBe(cert.fingerprint256)
    expect(probe.certificate.subject).toContain('CN=xo-desk-simulator')
    expect(probe.certificate.subjectAltNames).toContain('IP Address:127.0.0.1')
    expect(probe.certificate.selfSigned).toBe(true)
    expect(sim.lab.requests).toEqual([])
  })

  it('is refused under the system CAs, with its reason, before it gets the token', async () => {
    const sim = await simulatorWith(await generateCertificate())
    const error = await failureOf(
      clientFor(sim, { kind: 'system' }).list('vms', { fields: ['id'] }, AbortSignal.timeout(5000)),
    )
    expect(error.code).toBe('tls-untrusted')
    expect(sim.lab.requests).toEqual([])
  })

  it('answers once its fingerprint is pinned, as pasted in any usual form', async () => {
    const cert = await generateCertificate()
    const sim = await simulatorWith(cert)
    const pasted = `sha256 Fingerprint=${cert.fingerprint256.replace(/:/g, '').toLowerCase()}`
    const vms = await clientFor(sim, pinnedPolicy(pasted)).list(
      'vms',
      { fields: ['name_label'] },
      AbortSignal.timeout(5000),
    )
    expect(vms.length).toBe(sim.lab.store.count('vms'))
  })

  it('keeps answering on new sockets, where a resumed TLS session would hide the certificate', async () => {
    const cert = await generateCertificate()
    const sim = await simulatorWith(cert)
    const agent = new Agent({ connect: connectorFor(pinnedPolicy(cert.fingerprint256)) })
    try {
      for (let i = 0; i < 3; i++) {
        // reset: a new socket each time, so a cached session would be resumed.
        const res = await request(`${sim.url}/ping`, { dispatcher: agent, reset: true })
        await res.body.dump()
        expect(res.statusCode).toBe(200)
      }
    } finally {
      await agent.close()
    }
  })

  it('refuses a pin that is not a SHA-256 fingerprint when it is given', () => {
    expect(() => pinnedPolicy('AB:CD')).toThrow(/not a SHA-256 fingerprint/)
    expect(normalizeFingerprint('zz'.repeat(32))).toBeUndefined()
  })
})

describe('a pinned XO whose certificate was swapped', () => {
  async function swapped(): Promise<{
    a: SelfSignedCertificate
    b: SelfSignedCertificate
    sim: RunningSimulator
    policy: TrustPolicy
  }> {
    const a = await generateCertificate()
    const b = await generateCertificate()
    const first = await simulatorWith(a)
    const port = portOf(first)
    await first.close()
    running.splice(running.indexOf(first), 1)
    // Another server now answers on the same address, with another certificate.
    const sim = await simulatorWith(b, port)
    return { a, b, sim, policy: pinnedPolicy(a.fingerprint256) }
  }

  it('refuses REST calls with both fingerprints, and the server never receives the token', async () => {
    const { a, b, sim, policy } = await swapped()
    const error = await failureOf(
      clientFor(sim, policy).list('vms', { fields: ['id'] }, AbortSignal.timeout(5000)),
    )
    expect(error.code).toBe('tls-changed')
    expect(error.message).toContain(a.fingerprint256)
    expect(error.message).toContain(b.fingerprint256)
    expect(error.message).not.toContain(sim.token)
    expect(sim.lab.requests).toEqual([])
  })

  it('refuses the live event stream the same way, and it stops instead of retrying', async () => {
    const { a, b, sim, policy } = await swapped()
    const agent = new Agent({ connect: connectorFor(policy) })
    const stream = new XoEventStream({
      baseUrl: sim.url,
      headers: () => ({ cookie: `authenticationToken=${sim.token}` }),
      dispatcher: agent,
      toAppError: (err) => toXoAppError(err, { host: new URL(sim.url).host }),
    })
    try {
      stream.start()
      const error = await failureOf(stream.whenLive(AbortSignal.timeout(5000)))
      expect(error.code).toBe('tls-changed')
      expect(error.message).toContain(a.fingerprint256)
      expect(error.message).toContain(b.fingerprint256)
      expect(stream.status.state).toBe('stopped')
      expect(sim.lab.requests).toEqual([])
    } finally {
      await stream.close()
      await agent.close()
    }
  })

  it('refuses an image download the same way, sending nothing', async () => {
    const { sim, policy } = await swapped()
    const vm = [...sim.lab.store.list('vms')][0]
    const agent = new Agent({ connect: connectorFor(policy) })
    try {
      const download = request(`${sim.url}/vms/${String(vm?.['id'])}.xva`, {
        dispatcher: agent,
        headers: { cookie: `authenticationToken=${sim.token}` },
      })
      const error = await failureOf(download)
      expect(error.code).toBe('tls-changed')
      expect(sim.lab.requests).toEqual([])
    } finally {
      await agent.close()
    }
  })
})

describe('an XO with a certificate from the organisation’s own CA', () => {
  it('answers when that CA is given for the instance, and is refused without it', async () => {
    const { caPem, leaf } = await caSignedCertificate()
    const sim = await simulatorWith(leaf)
    const probe = await probeCertificate('127.0.0.1', portOf(sim), { ca: [caPem] })
    expect(probe.trusted).toBe(true)
    expect(probe.chain.length + 1).toBeGreaterThanOrEqual(1)
    const vms = await clientFor(sim, { kind: 'ca', caPem: [caPem] }).list(
      'vms',
      { fields: ['id'] },
      AbortSignal.timeout(5000),
    )
    expect(vms.length).toBe(sim.lab.store.count('vms'))
    const error = await failureOf(
      clientFor(sim, { kind: 'system' }).list('vms', { fields: ['id'] }, AbortSignal.timeout(5000)),
    )
    expect(error.code).toBe('tls-untrusted')
  })
})
