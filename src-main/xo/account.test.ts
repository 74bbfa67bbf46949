// Who XO Desk is signed in as and what that account may do, read from the simulator and checked
// against what the server then decides: the client's prediction must match XO's answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { may, privilegeFor } from './account'
import { XoClient } from './client'

let sim: RunningSimulator
beforeAll(async () => {
  sim = await startSimulator({ seed: 'account', life: false, actionDelayMs: 5 })
})
afterAll(() => sim.close())

const signal = (): AbortSignal => AbortSignal.timeout(10_000)

async function signedInAs(user: string, password: string): Promise<XoClient> {
  const basic = new XoClient({ baseUrl: sim.url, token: () => undefined })
  const token = (await basic.createToken({ username: user, password }, signal())).id
  await basic.close()
  return new XoClient({ baseUrl: sim.url, token: () => token })
}

describe('the signed-in account', () => {
  it('is an admin, who may do everything, for the admin token', async () => {
    const client = new XoClient({ baseUrl: sim.url, token: () => sim.token })
    const account = await client.account(signal())
    expect(account).toMatchObject({ name: 'admin@admin.net', admin: true, privileges: [] })
    expect(may(account, { resource: 'vm', action: 'start' })).toBe(true)
    await client.close()
  })

  it('predicts, for a non-admin account, exactly which VMs XO lets it start', async () => {
    const client = await signedInAs('operator@lab.local', 'operator')
    const account = await client.account(signal())
    expect(account.admin).toBe(false)
    expect(account.privileges.length).toBeGreaterThan(0)
    const start = privilegeFor('POST', '/vms/{id}/actions/start')
    expect(start).toEqual({ resource: 'vm', action: 'start' })
    const halted = [...sim.lab.store.list('vms')].filter((v) => v['power_state'] === 'Halted')
    const verdicts = { allowed: 0, refused: 0 }
    for (const vm of halted.slice(0, 12)) {
      const predicted = may(account, start ?? { resource: 'vm', action: 'start' }, vm)
      let status: number
      try {
        await client.action('vms', vm.id, 'start', {}, signal())
        status = 202
      } catch (err) {
        status = (err as { status?: number }).status ?? 0
      }
      expect({ vm: vm['name_label'], status }).toEqual({
        vm: vm['name_label'],
        status: predicted ? 202 : 403,
      })
      verdicts[predicted ? 'allowed' : 'refused']++
    }
    // The lab's operator may start some VMs and not others, so both answers were checked.
    expect(verdicts.allowed).toBeGreaterThan(0)
    expect(verdicts.refused).toBeGreaterThan(0)
    await client.close()
  })
})

describe('the server', () => {
  it('tells its REST API version and the operations it serves, without credentials', async () => {
    const client = new XoClient({ baseUrl: sim.url, token: () => 'not-a-token' })
    const api = await client.serverApi(signal())
    expect(api.version).toBe('0.39.0')
    expect(api.operations.has('GET /events')).toBe(true)
    expect(api.operations.has('POST /vms/{id}/actions/start')).toBe(true)
    await client.close()
  })
})
