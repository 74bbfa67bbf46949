// The live event stream (`GET /events`, docs/xo-rest-api.md#events) against the simulator:
// subscriptions, drops, silence, close; and its failures told in the REST client's words.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent, errors, request, type Dispatcher } from 'undici'
import type { AppError } from '@contract'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { XoClient } from './client'
import { toXoAppError, type XoErrorContext } from './errors'
import {
  backoffDelay,
  XoEventStream,
  type EventStreamStatus,
  type XoEventStreamOptions,
  type XoObjectEvent,
} from './events'

let sim: RunningSimulator
beforeAll(async () => {
  sim = await startSimulator({ seed: 'xo-events', life: false, actionDelayMs: 5 })
})
afterAll(() => sim.close())

// Each test's streams and clients are closed after it, so a failing test leaves no stream open
// for the next one to count.
const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

interface StreamSetup {
  /** Where XO is; the simulator by default. */
  url?: string
  /** The token the client and the stream send; the simulator's admin token by default. */
  token?: string
}

/**
 * A REST client and an event stream wired as `connect.ts` wires them: the same base URL and
 * token, and the client's mapper (`toXoAppError` with the instance's context) explaining the
 * stream's failures. `explain` is that mapper, for what the client itself gets.
 */
function stream(
  options: Partial<XoEventStreamOptions> = {},
  { url = sim.url, token = sim.token }: StreamSetup = {},
): {
  stream: XoEventStream
  events: XoObjectEvent[]
  states: EventStreamStatus[]
  client: XoClient
  explain: (err: unknown) => AppError
} {
  // One try per request, so the client reports the failure itself rather than its retries.
  const client = new XoClient({ baseUrl: url, token: () => token, retry: { attempts: 1 } })
  const ctx: XoErrorContext = { host: client.baseUrl.host, credentials: 'token' }
  const explain = (err: unknown): AppError => toXoAppError(err, ctx)
  const s = new XoEventStream({
    baseUrl: client.baseUrl.href.replace(/\/$/, ''),
    headers: () => ({ cookie: `authenticationToken=${token}` }),
    toAppError: explain,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  })
  open.push(s, client)
  const events: XoObjectEvent[] = []
  const states: EventStreamStatus[] = []
  s.onEvent((e) => events.push(e))
  s.onState((st) => states.push(st))
  return { stream: s, events, states, client, explain }
}

/** What the REST client's caller is told when `client.list('vms')` fails. */
async function listFailure(
  client: XoClient,
  explain: (err: unknown) => AppError,
): Promise<AppError> {
  const failure = await client.list('vms', { fields: ['id'] }, AbortSignal.timeout(10_000)).then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(failure, 'the REST request should have failed').toBeDefined()
  return explain(failure)
}

/** A token of the simulator's admin of its own, so that expiring it leaves the others valid. */
function ownToken(): string {
  const admin = sim.lab.auth.tokens.get(sim.token)
  if (!admin) throw new Error('the simulator has no admin token')
  return sim.lab.auth.issueToken(admin.user_id).id
}

const reconnectingWith = (states: EventStreamStatus[]): AppError | undefined =>
  states.find((st) => st.state === 'reconnecting' && st.error)?.error

function vmWith(power: string): string {
  const vm = [...sim.lab.store.list('vms')].find(
    (v) => v['power_state'] === power && !v['name_label']?.toString().startsWith('used-'),
  )
  if (!vm) throw new Error(`no ${power} VM left in the lab`)
  sim.lab.store.update('vms', vm.id, { name_label: `used-${String(vm['name_label'])}` })
  return vm.id
}

async function post(path: string): Promise<number> {
  const res = await request(`${sim.url}${path}`, {
    method: 'POST',
    headers: { cookie: `authenticationToken=${sim.token}` },
  })
  await res.body.dump()
  return res.statusCode
}

describe('XoEventStream', () => {
  it('delivers a VM started by an action as an update to Running, without $subscription', async () => {
    const { stream: s, events } = stream()
    await s.subscribe('VM', ['name_label', 'power_state'])
    s.start()
    await s.whenLive()
    const id = vmWith('Halted')

    expect(await post(`/vms/${id}/actions/start`)).toBe(202)

    await vi.waitFor(() =>
      expect(events).toContainEqual({
        kind: 'update',
        type: 'VM',
        object: { id, name_label: expect.any(String), power_state: 'Running' },
      }),
    )
    await s.close()
  })

  it('subscribes again on the new subscriber id after a drop, and asks for a resync', async () => {
    const resyncs: boolean[] = []
    const {
      stream: s,
      events,
      states,
    } = stream({
      resync: (_signal, { reconnect }) => void resyncs.push(reconnect),
    })
    await s.subscribe('VM', ['name_label'])
    s.start()
    await s.whenLive()
    const first = s.subscriberId

    sim.lab.events.closeAll()
    await vi.waitFor(() =>
      expect(states).toContainEqual(
        expect.objectContaining({
          state: 'reconnecting',
          error: expect.objectContaining({ code: 'unreachable', retryable: true }),
        }),
      ),
    )
    await vi.waitFor(() => expect(s.status.state).toBe('live'))

    expect(s.subscriberId).not.toBe(first)
    expect(resyncs).toEqual([false, true])
    const id = vmWith('Halted')
    sim.lab.store.update('vms', id, { name_label: 'after-reconnect' })
    await vi.waitFor(() =>
      expect(events.at(-1)).toEqual({
        kind: 'update',
        type: 'VM',
        object: { id, name_label: 'after-reconnect' },
      }),
    )
    await s.close()
  })

  it('tells a stream cut mid-answer in the words the REST client uses for a cut answer, and reconnects', async () => {
    const { stream: s, states, client, explain } = stream()
    sim.faults.add({
      method: 'GET',
      path: '/events',
      fault: { kind: 'drop-after', bytes: 10 },
      times: 1,
    })

    s.start()
    await s.whenLive()

    // The same cut on a REST answer: 10 bytes of the VM list, then the connection drops.
    sim.faults.add({
      method: 'GET',
      path: '/vms',
      fault: { kind: 'drop-after', bytes: 10 },
      times: 1,
    })
    const cut = await listFailure(client, explain)
    expect(reconnectingWith(states)).toEqual(cut)
    await s.close()
  })

  it('stops on a session that expired while the stream was away, with the message the REST client gives', async () => {
    const { stream: s, client, explain } = stream({}, { token: ownToken() })
    s.start()
    await s.whenLive()

    // XO drops the stream; by the time it is opened again, the session has expired (401).
    sim.faults.add({ method: 'GET', path: '/events', fault: { kind: 'expire-token' }, times: 1 })
    sim.lab.events.closeAll()
    await vi.waitFor(() => expect(s.status.state).toBe('stopped'))

    const expired = await listFailure(client, explain)
    expect(expired.code).toBe('auth-expired')
    expect(s.status).toEqual({ state: 'stopped', error: expired })
    await expect(s.whenLive()).rejects.toMatchObject({ appError: expired })
  })

  it('reports a subscription XO refuses for a moment as the REST client would, then subscribes again', async () => {
    const { stream: s, events, states, client, explain } = stream()
    await s.subscribe('VM', ['name_label'])
    sim.faults.add({
      method: 'POST',
      path: '/events/*/subscriptions',
      fault: { kind: 'status', status: 503 },
      times: 1,
    })

    s.start()
    await s.whenLive()

    sim.faults.add({
      method: 'GET',
      path: '/vms',
      fault: { kind: 'status', status: 503 },
      times: 1,
    })
    expect(reconnectingWith(states)).toEqual(await listFailure(client, explain))
    const id = vmWith('Halted')
    sim.lab.store.update('vms', id, { name_label: 'subscribed-again' })
    await vi.waitFor(() =>
      expect(events).toContainEqual({
        kind: 'update',
        type: 'VM',
        object: { id, name_label: 'subscribed-again' },
      }),
    )
    await s.close()
  })

  it('reconnects after undici refuses a request on a closed client (cancelled), like after any drop', async () => {
    const dispatcher = new ClosedOnce()
    open.push(dispatcher)
    const { stream: s, states, explain } = stream({ dispatcher })

    s.start()
    await s.whenLive()

    const closed = explain(new errors.ClientClosedError())
    expect(closed.code).toBe('cancelled')
    expect(reconnectingWith(states)).toEqual(closed)
    await s.close()
  })

  it('treats a stream that stays silent (no ping) as dropped, and reconnects', async () => {
    // The simulator pings every 30 s; expecting one every 50 ms makes its stream look dead.
    const { stream: s, states } = stream({ pingIntervalMs: 50 })
    s.start()
    await s.whenLive()
    const first = s.subscriberId

    await vi.waitFor(() =>
      expect(states).toContainEqual(
        expect.objectContaining({
          state: 'reconnecting',
          error: expect.objectContaining({ code: 'timeout' }),
        }),
      ),
    )
    await s.whenLive()
    expect(s.subscriberId).not.toBe(first)
    // The silent connection was released, not left open beside the new one.
    await vi.waitFor(() => expect(sim.lab.events.count).toBeLessThanOrEqual(1))
    await s.close()
  })

  it('keeps a stream that pings on time connected', async () => {
    const server = await pingingServer(20)
    try {
      const { stream: s } = stream(
        { pingIntervalMs: 40, backoff: { initialMs: 10, maxMs: 50 } },
        { url: server.url },
      )
      s.start()
      await s.whenLive()
      await new Promise((r) => setTimeout(r, 300)) // several silence windows
      expect(s.status.state).toBe('live')
      expect(server.connections()).toBe(1)
      await s.close()
    } finally {
      await server.close()
    }
  })

  it('releases its connection on close()', async () => {
    const { stream: s, states } = stream()
    s.start()
    await s.whenLive()
    expect(sim.lab.events.count).toBeGreaterThanOrEqual(1)

    await s.close()

    await vi.waitFor(() => expect(sim.lab.events.count).toBe(0))
    expect(states.at(-1)).toEqual({ state: 'stopped' })
  })

  it('stops when its AbortSignal is aborted', async () => {
    const controller = new AbortController()
    const { stream: s, states } = stream({ signal: controller.signal })
    s.start()
    await s.whenLive()

    controller.abort()

    await vi.waitFor(() => expect(states.at(-1)?.state).toBe('stopped'))
    await vi.waitFor(() => expect(sim.lab.events.count).toBe(0))
  })

  it('gives up on a token XO rejects, with the message of the REST client, instead of retrying forever', async () => {
    const { stream: s, client, explain } = stream({}, { token: 'nope' })
    s.start()

    const rejected = await listFailure(client, explain)
    await expect(s.whenLive()).rejects.toMatchObject({ appError: rejected })
    await expect(s.whenLive()).rejects.toMatchObject({ appError: rejected })
    expect(s.status).toEqual({ state: 'stopped', error: rejected })
  })

  it('keeps retrying while XO is unreachable, saying why as the REST client does', async () => {
    const { stream: s, states, client, explain } = stream({}, { url: await closedPortUrl() })
    s.start()
    await vi.waitFor(() =>
      expect(states.filter((st) => st.state === 'reconnecting').length).toBeGreaterThanOrEqual(2),
    )
    expect(states.at(-1)).toMatchObject({
      state: 'reconnecting',
      error: await listFailure(client, explain),
      retryAt: expect.any(Number),
    })
    await s.close()
    expect(s.status.state).toBe('stopped')
  })
})

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1_000, factor: 2 }

  it('doubles per attempt up to the cap, with jitter between half and the whole step', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, options, () => 1))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ])
    expect(backoffDelay(2, options, () => 0)).toBe(200)
    expect(backoffDelay(2, options, () => 0.5)).toBe(300)
  })
})

/** A minimal SSE server that sends init and then pings every `pingMs`. */
async function pingingServer(pingMs: number): Promise<{
  url: string
  connections: () => number
  close: () => Promise<void>
}> {
  const streams = new Set<ServerResponse>()
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST') {
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"VM"}')
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(`event: init\ndata: {"id":"sub-${streams.size}"}\n\n`)
    streams.add(res)
    const timer = setInterval(
      () => res.write(`event: ping\ndata: {"ping":${Date.now()}}\n\n`),
      pingMs,
    )
    res.on('close', () => {
      clearInterval(timer)
      streams.delete(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/rest/v0`,
    connections: () => streams.size,
    close: async () => {
      for (const res of streams) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** An agent whose first request fails as a closed undici client does (`UND_ERR_CLOSED`). */
class ClosedOnce extends Agent {
  #refused = false

  override dispatch(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    if (this.#refused) return super.dispatch(options, handler)
    this.#refused = true
    throw new errors.ClientClosedError()
  }
}

/** A URL where nothing listens: a port that was free a moment ago. */
async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/rest/v0`
}
