// Every row of the error table, produced for real (simulator faults, TLS, tiny servers), as the user reads it.
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generate } from 'selfsigned'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppError } from '@contract'
import { AppFailure } from '../app-failure'
import type { XoRecord } from '../simulator/lab/types'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { generateCertificate } from '../simulator/tls'
import { XoClient, type XoClientOptions } from './client'

const never = new AbortController().signal
let sim: RunningSimulator
let tlsSim: RunningSimulator
let tlsCert: string
let expiredSim: RunningSimulator
let expiredCert: string
const servers: Server[] = []
const clients: XoClient[] = []

function client(options: Partial<XoClientOptions> = {}): XoClient {
  const c = new XoClient({
    baseUrl: sim.url,
    token: () => sim.token,
    retry: { attempts: 1 },
    nameOf: (collection, id) =>
      sim.lab.store.get(collection as 'vms', id)?.['name_label'] as string,
    ...options,
  })
  clients.push(c)
  return c
}

async function tiny(handler: RequestListener): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function expiredCertificate(): Promise<{ cert: string; key: string }> {
  const day = 24 * 3600 * 1000
  const pems = await generate([{ name: 'commonName', value: 'xo-expired' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 30 * day),
    notAfterDate: new Date(Date.now() - day),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  } as Parameters<typeof generate>[1])
  return { cert: pems.cert, key: pems.private }
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 'xo-errors', life: false, actionDelayMs: 5 })
  const cert = await generateCertificate()
  tlsCert = cert.cert
  tlsSim = await startSimulator({ seed: 'xo-errors', life: false, tls: cert })
  const expired = await expiredCertificate()
  expiredCert = expired.cert
  expiredSim = await startSimulator({ seed: 'xo-errors', life: false, tls: expired })
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.destroy()))
  await Promise.all([sim.close(), tlsSim.close(), expiredSim.close()])
  for (const s of servers) s.closeAllConnections()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
})

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppFailure) return err.appError
    throw err
  }
  throw new Error('it succeeded')
}

const vm = (state: string): XoRecord =>
  [...sim.lab.store.list('vms')].find((v) => v['power_state'] === state) as XoRecord

async function closedPort(): Promise<string> {
  const url = await tiny(() => undefined)
  const server = servers.pop() as Server
  await new Promise((r) => server.close(r))
  return url
}

/** Each row: how to provoke it, the code, and what the message must say. */
const rows: [string, () => Promise<AppError>, AppError['code'], RegExp][] = [
  [
    'DNS failure',
    () => errorOf(client({ baseUrl: 'http://no-such-host.invalid' }).list('vms', {}, never)),
    'unreachable',
    /no-such-host\.invalid could not be (found|looked up)/,
  ],
  [
    'connection refused',
    async () => errorOf(client({ baseUrl: await closedPort() }).list('vms', {}, never)),
    'unreachable',
    /refused the connection/,
  ],
  [
    'TLS: self-signed certificate',
    () =>
      errorOf(client({ baseUrl: tlsSim.url, token: () => tlsSim.token }).list('vms', {}, never)),
    'tls-untrusted',
    /certificate of 127\.0\.0\.1:\d+ is not trusted/,
  ],
  [
    'TLS: certificate for another name',
    () =>
      errorOf(
        client({
          baseUrl: tlsSim.url,
          token: () => tlsSim.token,
          connect: { ca: [tlsCert], servername: 'xo.other.example' },
        }).list('vms', {}, never),
      ),
    'tls-hostname',
    /issued for another name \(DNS:localhost, IP Address:127\.0\.0\.1/,
  ],
  [
    'TLS: expired certificate',
    () =>
      errorOf(
        client({
          baseUrl: expiredSim.url,
          token: () => expiredSim.token,
          connect: { ca: [expiredCert] },
        }).list('vms', {}, never),
      ),
    'tls-expired',
    /certificate of 127\.0\.0\.1:\d+ has expired/,
  ],
  [
    'plain HTTP where HTTPS was typed',
    () => errorOf(client({ baseUrl: sim.url.replace('http:', 'https:') }).list('vms', {}, never)),
    'not-xo',
    /does not answer HTTPS/,
  ],
  [
    '401: token expired',
    async () => {
      const token = await client().createToken(
        { username: 'admin@admin.net', password: 'admin' },
        never,
      )
      sim.faults.next('GET', '/vms', { kind: 'expire-token' })
      return errorOf(client({ token: () => token.id }).list('vms', {}, never))
    },
    'auth-expired',
    /Your session on 127\.0\.0\.1:\d+ has expired/,
  ],
  [
    '401: wrong password',
    () => errorOf(client().createToken({ username: 'nobody@lab.local', password: 'nope' }, never)),
    'auth-invalid',
    /did not accept this user name and password/,
  ],
  [
    '403: missing privilege',
    async () => {
      const token = await client().createToken(
        { username: 'operator@lab.local', password: 'operator' },
        never,
      )
      const target = [...sim.lab.store.list('vms')].find(
        (v) => !(v['tags'] as string[]).includes('staging') && v['power_state'] === 'Halted',
      ) as XoRecord
      const error = await errorOf(
        client({ token: () => token.id }).action('vms', target.id, 'start', {}, never),
      )
      expect(error.message).toContain(`vm:start on ${String(target['name_label'])}`)
      return error
    },
    'forbidden',
    /^You lack vm:start on .+ on 127\.0\.0\.1:\d+\.$/,
  ],
  [
    '404: object gone',
    () => errorOf(client().get('vms', '00000000-0000-4000-8000-000000000000', never)),
    'not-found',
    /The VM 00000000-0000-4000-8000-000000000000 no longer exists/,
  ],
  [
    '409: incorrect state',
    async () => {
      const host = [...sim.lab.store.list('hosts')][0] as XoRecord
      sim.lab.store.update('hosts', host.id, { power_state: 'Halted' })
      try {
        return await errorOf(client().action('hosts', host.id, 'scan_pifs', { sync: true }, never))
      } finally {
        sim.lab.store.update('hosts', host.id, { power_state: 'Running' })
      }
    },
    'conflict',
    /on 127\.0\.0\.1:\d+ has power_state "Halted", but this needs "Running"\.$/,
  ],
  [
    '422: invalid fields',
    () => errorOf(client().patch('vms', vm('Halted').id, { name_label: 'x' }, never)),
    'xo-rejected',
    /rejected the request: body\.name_label: "name_label" is an excess property/,
  ],
  [
    '500: XAPI error',
    () => errorOf(client().action('vms', vm('Running').id, 'start', { sync: true }, never)),
    'xo-failed',
    /is running, but this needs it halted \(on 127\.0\.0\.1:\d+\)\.$/,
  ],
  [
    'unknown route: an HTML 404',
    () => errorOf(client().list('no-such-things', {}, never)),
    'not-xo',
    /answered HTTP 404 with a web page/,
  ],
  [
    'not XO: an HTML page',
    async () => {
      const url = await tiny((_req, res) => {
        res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end('<html>Sign in to the portal</html>')
      })
      return errorOf(client({ baseUrl: url }).get('vms', 'x', never))
    },
    'not-xo',
    /answered with a web page where XO's REST API answers JSON/,
  ],
  [
    'proxy asking for its own sign-in (407)',
    async () => {
      const url = await tiny((_req, res) => {
        res.writeHead(407, {
          'Proxy-Authenticate': 'Basic realm="corp"',
          'Content-Type': 'text/html',
        })
        res.end('<html>Proxy authentication required</html>')
      })
      return errorOf(client({ baseUrl: url }).list('vms', {}, never))
    },
    'unreachable',
    /A proxy between XO Desk and 127\.0\.0\.1:\d+ asks for its own sign-in/,
  ],
  [
    'proxy that cannot reach XO (HTML 502)',
    async () => {
      const url = await tiny((_req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>Bad Gateway</html>')
      })
      return errorOf(client({ baseUrl: url }).list('vms', {}, never))
    },
    'unreachable',
    /A proxy or gateway in front of 127\.0\.0\.1:\d+ could not reach XO \(HTTP 502\)/,
  ],
  [
    'redirect of the sign-in to another server',
    async () => {
      const elsewhere = await tiny((req, res) => {
        received.push(req.headers.authorization ?? 'none')
        res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"token":{"id":"x"}}')
      })
      const url = await tiny((_req, res) => {
        res.writeHead(307, { Location: `${elsewhere}/rest/v0/users/1/authentication_tokens` }).end()
      })
      const error = await errorOf(
        client({ baseUrl: url }).createToken({ username: 'a', password: 'b' }, never),
      )
      expect(received).toEqual([])
      return error
    },
    'not-xo',
    /redirected the request to http:\/\/127\.0\.0\.1:\d+\/rest\/v0\/users\/1\/.*did not send your credentials/,
  ],
]
const received: string[] = []

describe('every failure reads as what happened and what to do', () => {
  it.each(rows)('%s', async (_name, provoke, code, message) => {
    const error = await provoke()
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(error.message).toMatch(/127\.0\.0\.1|no-such-host\.invalid|[Yy]ou lack|VM/)
    expect(error.action.length).toBeGreaterThan(10)
    // The token never appears in what the user (or a log) sees.
    expect(JSON.stringify(error)).not.toContain(sim.token)
    expect(JSON.stringify(error)).not.toContain(tlsSim.token)
  })
})
