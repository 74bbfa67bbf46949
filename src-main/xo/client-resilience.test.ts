// How the client behaves when the network or XO misbehaves: retries, timeouts, cancellation.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import type { XoRecord } from '../simulator/lab/types'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { XoClient, type XoClientOptions } from './client'
import type { XoTaskProgress } from './types'

let sim: RunningSimulator
const never = new AbortController().signal
const clients: XoClient[] = []

function client(options: Partial<XoClientOptions> = {}): XoClient {
  const c = new XoClient({
    baseUrl: sim.url,
    token: () => sim.token,
    retry: { baseMs: 5, maxMs: 20 },
    ...options,
  })
  clients.push(c)
  return c
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 'xo-resilience', life: false, actionDelayMs: 5 })
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.destroy()))
  await sim.close()
})

async function failureOf(promise: Promise<unknown>): Promise<AppFailure> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppFailure) return err
    throw err
  }
  throw new Error('it succeeded')
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** The cancelled request's socket is closed, and no other is left busy. */
async function released(xo: XoClient, socketsBefore: number): Promise<void> {
  await until(() => {
    const s = xo.stats()
    return s.running === 0 && s.connected === s.free && s.connected === socketsBefore - 1
  })
}

const halted = (): XoRecord =>
  [...sim.lab.store.list('vms')].find((vm) => vm['power_state'] === 'Halted') as XoRecord

describe('retries', () => {
  it('tries a read again after 503s and succeeds', async () => {
    sim.faults.add({
      method: 'GET',
      path: '/vms',
      fault: { kind: 'status', status: 503 },
      times: 2,
    })
    const list = await client().list('vms', { fields: ['id'] }, never)
    expect(list.length).toBeGreaterThan(0)
    expect(sim.faults.list()).toEqual([]) // both 503s were consumed: three requests in all
  })

  it('never retries an action: one 503, one request, the VM unchanged', async () => {
    const vm = halted()
    const path = `/vms/${vm.id}/actions/start`
    sim.faults.add({ method: 'POST', path, fault: { kind: 'status', status: 503 }, times: 5 })
    const failure = await failureOf(client().action('vms', vm.id, 'start', {}, never))
    expect(failure.appError).toMatchObject({ code: 'xo-failed', retryable: true })
    expect(failure.appError.message).toMatch(/temporarily unavailable/)
    expect(sim.faults.list()).toEqual([expect.objectContaining({ path, times: 4 })])
    sim.faults.clear()
    await new Promise((r) => setTimeout(r, 50))
    expect(sim.lab.store.get('vms', vm.id)?.['power_state']).toBe('Halted')
    const tasks = [...sim.lab.store.list('tasks')]
    expect(tasks.some((t) => (t['properties'] as { objectId?: string }).objectId === vm.id)).toBe(
      false,
    )
  })

  it('treats a DELETE whose answer was lost, then retried, as done', async () => {
    const snap = [...sim.lab.store.list('vm-snapshots')][0] as XoRecord
    // XO deletes the snapshot, then the connection drops before the 204 reaches us.
    sim.faults.next('DELETE', `/vm-snapshots/${snap.id}`, { kind: 'drop-after', bytes: 0 })
    await client().delete('vm-snapshots', snap.id, never)
    expect(sim.lab.store.get('vm-snapshots', snap.id)).toBeUndefined()
    expect(sim.faults.list()).toEqual([])
  })

  it('waits as long as Retry-After says after a 429, then gets the answer', async () => {
    sim.faults.next('GET', '/hosts', { kind: 'rate-limit', retryAfterSeconds: 1 })
    const waits: number[] = []
    const hosts = await client({ retry: { wait: async (ms) => void waits.push(ms) } }).list(
      'hosts',
      {},
      never,
    )
    expect(waits).toEqual([1000])
    expect(hosts.length).toBe(sim.lab.store.count('hosts'))
    expect(sim.faults.list()).toEqual([])
  })

  it('gives up after a bounded number of attempts', async () => {
    sim.faults.add({
      method: 'GET',
      path: '/srs',
      fault: { kind: 'status', status: 503 },
      times: 100,
    })
    const failure = await failureOf(client({ retry: { attempts: 3 } }).list('srs', {}, never))
    expect(failure.appError.code).toBe('xo-failed')
    expect(sim.faults.list()[0]?.times).toBe(97)
    sim.faults.clear()
  })

  it('does not wait for a Retry-After longer than allowed, and says how long to wait', async () => {
    sim.faults.add({
      method: 'GET',
      path: '/pools',
      fault: { kind: 'rate-limit', retryAfterSeconds: 120 },
      times: 3,
    })
    const failure = await failureOf(client().list('pools', {}, never))
    expect(failure.appError).toMatchObject({ code: 'rate-limited', retryable: true })
    expect(failure.appError.action).toMatch(/Wait 120 s/)
    expect(sim.faults.list()[0]?.times).toBe(2)
    sim.faults.clear()
  })

  it('stops waiting between attempts when cancelled', async () => {
    sim.faults.add({ method: 'GET', path: '/networks', fault: { kind: 'status', status: 503 } })
    const abort = new AbortController()
    const pending = client({ retry: { baseMs: 60_000, maxMs: 60_000 } }).list(
      'networks',
      {},
      abort.signal,
    )
    setTimeout(() => abort.abort(), 100)
    // Without the cancel, the 60 s wait would outlast the test's own timeout.
    expect((await failureOf(pending)).appError.code).toBe('cancelled')
    sim.faults.clear()
  })
})

describe('timeouts and cancellation', () => {
  it('releases the socket when a request is cancelled mid-answer', async () => {
    const xo = client()
    const vm = halted()
    sim.faults.next('GET', `/vms/${vm.id}`, { kind: 'stall', bytes: 20 })
    const abort = new AbortController()
    const pending = xo.get('vms', vm.id, abort.signal)
    await until(() => xo.stats().running === 1)
    const sockets = xo.stats().connected
    abort.abort()
    expect((await failureOf(pending)).appError.code).toBe('cancelled')
    await released(xo, sockets)
  })

  it('releases the socket when a stream loop is left early', async () => {
    const xo = client()
    sim.faults.next('GET', '/vms', { kind: 'stall', bytes: 2_000 }) // the rest never comes
    for await (const vm of xo.stream('vms', { fields: ['id'] }, never)) {
      expect(vm.id).toBeDefined()
      expect(xo.stats()).toMatchObject({ connected: 1, running: 1 })
      break
    }
    await released(xo, 1)
  })

  it('releases the socket when following a task is cancelled', async () => {
    const xo = client()
    const vm = halted()
    // A long-running task: the simulator's work takes actionDelayMs, so slow it with latency instead.
    const started = await xo.action('vms', vm.id, 'start', {}, never)
    sim.faults.next('GET', `/tasks/${started.taskId}`, { kind: 'latency', ms: 10_000 })
    const abort = new AbortController()
    const following = xo.followTask(started.taskId, {}, abort.signal)
    await until(() => xo.stats().running === 1)
    const sockets = xo.stats().connected
    abort.abort()
    expect((await failureOf(following)).appError.code).toBe('cancelled')
    await released(xo, sockets)
  })

  it('says "cancelled" whatever reason the caller aborts with, and "timeout" for its deadline', async () => {
    sim.faults.add({
      method: 'GET',
      path: '/pools',
      fault: { kind: 'latency', ms: 1_000 },
      times: 2,
    })
    const abort = new AbortController()
    const pending = client().list('pools', {}, abort.signal)
    setTimeout(() => abort.abort('user closed the window'), 50)
    expect((await failureOf(pending)).appError.code).toBe('cancelled')
    const late = client().list('pools', {}, AbortSignal.timeout(50))
    expect((await failureOf(late)).appError).toMatchObject({ code: 'timeout', retryable: true })
    sim.faults.clear()
  })

  it('reopens a progress watch that went silent and keeps reporting progress', async () => {
    // A rolling pool reboot, the kind of task XO gives a progress (dist/pools/pool.controller.mjs):
    // 4 steps of 600 ms.
    const slow = await startSimulator({ seed: 'xo-slow', life: false, actionDelayMs: 600 })
    try {
      const xo = client({
        baseUrl: slow.url,
        token: () => slow.token,
        timeouts: { stream: { idleMs: 150 } },
      })
      const pool = [...slow.lab.store.list('pools')][0] as XoRecord
      slow.faults.next('GET', '/tasks', { kind: 'stall', bytes: 0 }) // the first watch never speaks
      const progress: number[] = []
      const onProgress = (t: XoTaskProgress): void => {
        if (typeof t.properties?.progress === 'number') progress.push(t.properties.progress)
      }
      await xo.startAndFollow('pools', pool.id, 'rolling_reboot', {}, onProgress, never)
      expect(slow.faults.list()).toEqual([])
      expect(progress.length).toBeGreaterThanOrEqual(1) // seen only through the reopened watch
      expect([...progress].sort((a, b) => a - b)).toEqual(progress)
    } finally {
      await slow.close()
    }
  })

  it('gives up on a stream that stops sending data (idle timeout)', async () => {
    sim.faults.next('GET', '/vms', { kind: 'stall', bytes: 300 })
    const xo = client({ timeouts: { stream: { idleMs: 300 } } })
    const failure = await failureOf(
      (async () => {
        for await (const _vm of xo.stream('vms', { fields: ['name_label'] }, never));
      })(),
    )
    expect(failure.appError).toMatchObject({ code: 'timeout', retryable: true })
    expect(failure.appError.message).toBe(`${xo.host} stopped sending data for 0.3 s.`)
    await released(xo, 1)
  })

  it('gives up on a read that gets no answer (headers timeout)', async () => {
    sim.faults.next('GET', '/pools', { kind: 'latency', ms: 2_000 })
    const xo = client({ timeouts: { read: { headersMs: 200 } }, retry: { attempts: 1 } })
    const failure = await failureOf(xo.list('pools', {}, never))
    expect(failure.appError.message).toBe(`${xo.host} did not answer within 0.2 s.`)
  })

  it('says the server went away when the answer is cut mid-stream', async () => {
    sim.faults.next('GET', '/vms', { kind: 'drop-after', bytes: 500 })
    const failure = await failureOf(client().list('vms', { fields: ['name_label'] }, never))
    expect(failure.appError).toMatchObject({ code: 'unreachable', retryable: true })
    expect(failure.appError.message).toMatch(/closed before the answer was complete/)
  })
})

describe('nodejs/undici#5360 regression', () => {
  let server: Server
  let base: string
  const LINES = 20_000 // ~1.3 MiB: well above every buffer, so the reader is paused when FIN comes
  const body =
    Array.from({ length: LINES }, (_, i) =>
      JSON.stringify({ id: `vm-${i}`, name_label: `x${i}` }),
    ).join('\n') + '\n'

  beforeAll(async () => {
    server = createServer((req, res) => {
      // limit=1: Content-Length; limit=2: close-delimited; limit=3: Content-Length, body cut short.
      const mode = /limit=(\d)/.exec(req.url ?? '')?.[1]
      const length = Buffer.byteLength(body) + (mode === '3' ? 1000 : 0)
      const head =
        'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nConnection: close\r\n' +
        (mode === '2' ? '' : `Content-Length: ${length}\r\n`) +
        '\r\n'
      res.socket?.end(head + body) // whole body, then FIN at once
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it.each([
    ['close-delimited', 2],
    ['Content-Length', 1],
  ])('reads a %s body closed right after its end, slowly, without crashing', async (_, limit) => {
    const xo = new XoClient({ baseUrl: base, token: () => 'test-token' })
    let count = 0
    for await (const item of xo.stream('vms', { fields: ['id'], limit }, never)) {
      // A slow reader: long pause first (the server sends everything and FINs), then steady lag.
      if (count === 0) await new Promise((r) => setTimeout(r, 150))
      else if (count % 500 === 0) await new Promise((r) => setTimeout(r, 5))
      expect(item.id).toBe(`vm-${count}`)
      count++
    }
    expect(count).toBe(LINES)
    expect(process.exitCode ?? 0).toBe(0)
    await xo.destroy()
  })

  it('reports a body cut short of its Content-Length as a clean, readable error', async () => {
    const xo = new XoClient({ baseUrl: base, token: () => 'test-token' })
    let count = 0
    const failure = await failureOf(
      (async () => {
        for await (const _item of xo.stream('vms', { fields: ['id'], limit: 3 }, never)) {
          if (count++ === 0) await new Promise((r) => setTimeout(r, 150))
        }
      })(),
    )
    expect(failure.appError).toMatchObject({ code: 'unreachable', retryable: true })
    expect(count).toBe(LINES)
    await xo.destroy()
  })
})
