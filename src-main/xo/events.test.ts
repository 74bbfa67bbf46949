// The live event stream against the simulator (GUIDE §8): subscriptions, drops, silence, close.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startSimulator, type RunningSimulator } from '../simulator/server'
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

const open: XoEventStream[] = []
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()))
})

function stream(options: Partial<XoEventStreamOptions> = {}): {
  stream: XoEventStream
  events: XoObjectEvent[]
  states: EventStreamStatus[]
} {
  const s = new XoEventStream({
    baseUrl: sim.url,
    headers: () => ({ cookie: `authenticationToken=${sim.token}` }),
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  })
  open.push(s)
  const events: XoObjectEvent[] = []
  const states: EventStreamStatus[] = []
  s.onEvent((e) => events.push(e))
  s.onState((st) => states.push(st))
  return { stream: s, events, states }
}

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
      const s = new XoEventStream({
        baseUrl: server.url,
        headers: () => ({}),
        pingIntervalMs: 40,
        backoff: { initialMs: 10, maxMs: 50 },
      })
      open.push(s)
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

  it('gives up on a rejected token and says to sign in again, instead of retrying forever', async () => {
    const { stream: s } = stream({ headers: () => ({ cookie: 'authenticationToken=nope' }) })
    s.start()

    await expect(s.whenLive()).rejects.toMatchObject({ appError: { code: 'auth-invalid' } })
    await expect(s.whenLive()).rejects.toMatchObject({ appError: { code: 'auth-invalid' } })
    expect(s.status).toMatchObject({
      state: 'stopped',
      error: { code: 'auth-invalid', action: expect.stringMatching(/sign in/i) },
    })
  })

  it('keeps retrying while XO is unreachable, reporting why', async () => {
    const { stream: s, states } = stream({ baseUrl: await closedPortUrl() })
    s.start()
    await vi.waitFor(() =>
      expect(states.filter((st) => st.state === 'reconnecting').length).toBeGreaterThanOrEqual(2),
    )
    expect(states.at(-1)).toMatchObject({
      state: 'reconnecting',
      error: { code: 'unreachable' },
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

/** A URL where nothing listens: a port that was free a moment ago. */
async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/rest/v0`
}
