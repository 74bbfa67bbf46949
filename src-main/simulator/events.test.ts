// The SSE stream (`GET /events`, docs/xo-rest-api.md#events) as a client reads it: init,
// subscriptions, then changes in order.
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './server'
import { call } from '../test-support/simulator-call'

let sim: RunningSimulator
beforeAll(async () => {
  sim = await startSimulator({ seed: 'events', life: false, actionDelayMs: 20 })
})
afterAll(() => sim.close())

/** Opens /events and returns the messages as they arrive, plus a way to wait for one. */
async function openStream() {
  const controller = new AbortController()
  const res = await request(`${sim.url}/events`, {
    headers: { cookie: `authenticationToken=${sim.token}` },
    signal: controller.signal,
  })
  const messages: EventSourceMessage[] = []
  let notify = (): void => undefined
  const parser = createParser({
    onEvent: (m) => {
      messages.push(m)
      notify()
    },
  })
  void (async () => {
    try {
      for await (const chunk of res.body) parser.feed(Buffer.from(chunk as Buffer).toString('utf8'))
    } catch {
      // aborted by the test
    }
  })()
  async function until(test: (m: EventSourceMessage[]) => boolean): Promise<EventSourceMessage[]> {
    const deadline = Date.now() + 10_000
    while (!test(messages)) {
      if (Date.now() > deadline)
        throw new Error(
          `no such event; got ${JSON.stringify(messages.map((m) => [m.event, m.data]))}`,
        )
      await new Promise<void>((resolve) => {
        notify = resolve
        setTimeout(resolve, 100)
      })
    }
    return messages
  }
  return { res, messages, until, close: () => controller.abort() }
}

describe('event stream', () => {
  it('starts with init carrying the subscriber id, with SSE headers', async () => {
    const stream = await openStream()
    expect(stream.res.headers['content-type']).toBe('text/event-stream')
    const [init] = await stream.until((m) => m.length > 0)
    expect(init?.event).toBe('init')
    expect(JSON.parse(init?.data ?? '{}')).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    stream.close()
  })

  it('sends a VM going to Running, in order, after subscribing and starting it', async () => {
    const stream = await openStream()
    const [init] = await stream.until((m) => m.length > 0)
    const subscriber = (JSON.parse(init?.data ?? '{}') as { id: string }).id
    const sub = await call(sim.url, 'POST', `/events/${subscriber}/subscriptions`, {
      token: sim.token,
      body: { collection: 'VM', fields: ['id', 'name_label', 'power_state'] },
    })
    expect(sub.status).toBe(201)
    expect(sub.json).toEqual({ id: 'VM' })

    const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
    await call(sim.url, 'POST', `/vms/${vm?.id}/actions/start`, { token: sim.token })
    const messages = await stream.until((m) =>
      m.some((x) => x.data.includes('"Running"') && x.data.includes(vm?.id ?? '-')),
    )
    const updates = messages
      .filter((m) => m.event === 'update')
      .map((m) => JSON.parse(m.data) as Record<string, unknown>)
    expect(updates.at(-1)).toEqual({
      id: vm?.id,
      name_label: vm?.['name_label'],
      power_state: 'Running',
      $subscription: 'VM',
    })
    stream.close()
  })

  it('answers 404 "no such event" for a subscriber that is gone', async () => {
    const res = await call(
      sim.url,
      'POST',
      '/events/6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b/subscriptions',
      {
        token: sim.token,
        body: { collection: 'VM' },
      },
    )
    expect(res.status).toBe(404)
    expect(res.json).toMatchObject({
      error: 'no such event 6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
      data: { type: 'event' },
    })
  })

  it('streams task changes to a tasks watcher as ["update", …] lines, with no initial dump', async () => {
    const controller = new AbortController()
    const res = await request(`${sim.url}/tasks?ndjson=true&watch=true&fields=status`, {
      headers: { cookie: `authenticationToken=${sim.token}` },
      signal: controller.signal,
    })
    const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Running')
    const action = await call(sim.url, 'POST', `/vms/${vm?.id}/actions/pause`, { token: sim.token })
    const { taskId } = action.json as { taskId: string }
    let text = ''
    for await (const chunk of res.body) {
      text += Buffer.from(chunk as Buffer).toString('utf8')
      if (text.includes('"success"')) break
    }
    controller.abort()
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as [string, { status: string; href: string }])
    expect(lines[0]).toEqual(['update', { status: 'pending', href: `/rest/v0/tasks/${taskId}` }])
    expect(lines.at(-1)).toEqual([
      'update',
      { status: 'success', href: `/rest/v0/tasks/${taskId}` },
    ])
  })
})
