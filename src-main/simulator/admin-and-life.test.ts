// The simulator's own controls: faults over HTTP for admins' scripts, and the lab's background life.
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './server'
import { lifeTick } from './life'
import { Simulation } from './simulation'
import { call } from '../test-support/simulator-call'

let sim: RunningSimulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

describe('fault control route', () => {
  it('adds, lists and clears faults over HTTP with the admin token, outside /rest/v0', async () => {
    sim = await startSimulator({ life: false })
    const origin = sim.url.replace(/\/rest\/v0$/, '')
    const added = await call(origin, 'POST', '/_simulator/faults', {
      token: sim.token,
      body: { fault: 'GET /pools:status=503,times=1' },
    })
    expect(added.status).toBe(201)
    expect(added.json).toEqual([
      { method: 'GET', path: '/pools', fault: { kind: 'status', status: 503 }, times: 1 },
    ])
    expect((await call(sim.url, 'GET', '/pools', { token: sim.token })).status).toBe(503)
    expect((await call(sim.url, 'GET', '/pools', { token: sim.token })).status).toBe(200)
    expect((await call(origin, 'GET', '/_simulator/faults', { token: sim.token })).json).toEqual([])
  })

  it('refuses the control route without the admin token, and explains a malformed fault', async () => {
    sim = await startSimulator({ life: false })
    const origin = sim.url.replace(/\/rest\/v0$/, '')
    expect((await call(origin, 'GET', '/_simulator/faults')).status).toBe(401)
    const bad = await call(origin, 'POST', '/_simulator/faults', {
      token: sim.token,
      body: { fault: 'everything breaks' },
    })
    expect(bad.status).toBe(422)
    expect(bad.json).toMatchObject({ error: expect.stringMatching(/is not a fault/) })
  })
})

describe('background life', () => {
  it('changes running VMs now and then, through tasks like a colleague would', async () => {
    const lab = new Simulation({ seed: 'life', actionDelayMs: 1, life: false })
    const before = JSON.stringify(
      [...lab.store.list('vms')].map((vm) => [vm['power_state'], vm['memory']]),
    )
    const tasksBefore = lab.store.count('tasks')
    // Beats driven directly instead of waiting for the timer's seconds.
    for (let tick = 1; tick <= 20; tick++) lifeTick(lab, tick)
    await new Promise((r) => setTimeout(r, 50))
    lab.dispose()
    const after = JSON.stringify(
      [...lab.store.list('vms')].map((vm) => [vm['power_state'], vm['memory']]),
    )
    expect(after).not.toBe(before)
    expect(lab.store.count('tasks')).toBeGreaterThan(tasksBefore)
  })
})
