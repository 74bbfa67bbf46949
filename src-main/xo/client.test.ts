// The XO client against the simulator: what a user of XO Desk sees when browsing and acting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import type { XoRecord } from '../simulator/lab/types'
import { startSimulator, type RunningSimulator } from '../simulator/server'
import { XoClient } from './client'
import type { XoTaskProgress } from './types'

let sim: RunningSimulator
let xo: XoClient
const signal = new AbortController().signal

beforeAll(async () => {
  sim = await startSimulator({ seed: 'xo-client', life: false, actionDelayMs: 5 })
  xo = new XoClient({
    baseUrl: sim.url,
    token: () => sim.token,
    nameOf: (collection, id) =>
      sim.lab.store.get(collection as 'vms', id)?.['name_label'] as string,
  })
})
afterAll(async () => {
  await xo.close()
  await sim.close()
})

const vms = (state?: string): XoRecord[] =>
  [...sim.lab.store.list('vms')].filter((vm) => !state || vm['power_state'] === state)

async function failureOf(promise: Promise<unknown>): Promise<AppFailure> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppFailure) return err
    throw err
  }
  throw new Error('it succeeded')
}

describe('reading collections', () => {
  it('lists VMs with only the asked fields plus href, never whole objects', async () => {
    const list = await xo.list('vms', { fields: ['name_label', 'power_state'] }, signal)
    expect(list).toHaveLength(vms().length)
    const first = vms()[0]
    expect(list[0]).toEqual({
      name_label: first?.['name_label'],
      power_state: first?.['power_state'],
      href: `/rest/v0/vms/${first?.id}`,
    })
  })

  it('lists ids only when no fields are asked', async () => {
    const list = await xo.list('hosts', {}, signal)
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(['href', 'id'])
  })

  it('filters on the server and honours the limit', async () => {
    const running = await xo.list(
      'vms',
      { fields: ['power_state'], filter: 'power_state:Running' },
      signal,
    )
    expect(running.length).toBe(vms('Running').length)
    expect(new Set(running.map((vm) => vm.power_state))).toEqual(new Set(['Running']))
    expect(await xo.list('vms', { fields: ['id'], limit: 3 }, signal)).toHaveLength(3)
    expect(await xo.list('vms', { fields: ['id'], limit: 0 }, signal)).toEqual([])
  })

  it('returns whole objects only when asked with fields: ["*"]', async () => {
    const [vm] = await xo.list('vms', { fields: ['*'], limit: 1 }, signal)
    expect(vm).toEqual({ ...vms()[0], href: `/rest/v0/vms/${vms()[0]?.id}` })
  })

  it('streams a collection item by item', async () => {
    let count = 0
    for await (const vm of xo.stream('vms', { fields: ['name_label'] }, signal)) {
      expect(typeof vm.name_label).toBe('string')
      count++
    }
    expect(count).toBe(vms().length)
  })

  it('refuses a negative limit instead of getting everything (XO quirk)', async () => {
    expect((await failureOf(xo.list('vms', { limit: -1 }, signal))).appError.code).toBe(
      'invalid-input',
    )
  })

  it('explains a filter XO cannot parse', async () => {
    const failure = await failureOf(xo.list('vms', { filter: 'name_label:(' }, signal))
    expect(failure.appError).toMatchObject({ code: 'xo-rejected' })
    expect(failure.appError.message).toContain('name_label:(')
  })

  it('reads one object whole, and the VDIs of a VM', async () => {
    const vm = vms().find((v) => (v['$VBDs'] as string[]).length > 0) as XoRecord
    expect(await xo.get('vms', vm.id, signal)).toEqual(vm)
    const vdis = await xo.subCollection(
      'vms',
      vm.id,
      'vdis',
      { fields: ['name_label', '$SR'] },
      signal,
    )
    expect(vdis.length).toBeGreaterThan(0)
    for (const vdi of vdis) expect(vdi.href).toMatch(/^\/rest\/v0\/vdi(-snapshot)?s\//)
  })

  it('answers the health check without credentials', async () => {
    const anonymous = new XoClient({ baseUrl: sim.url, token: () => undefined })
    expect(await anonymous.ping(signal)).toMatchObject({ result: 'pong' })
    await anonymous.close()
  })
})

describe('acting on objects', () => {
  it('runs a rolling pool reboot asynchronously and follows its task to success, reporting progress', async () => {
    // XO gives a progress only to rolling pool reboots and updates (dist/pools/pool.controller.mjs);
    // slow enough (4 steps of 400 ms) for it to be seen on a loaded machine.
    const slow = await startSimulator({ seed: 'xo-client', life: false, actionDelayMs: 400 })
    const client = new XoClient({ baseUrl: slow.url, token: () => slow.token })
    try {
      const pool = [...slow.lab.store.list('pools')][0] as XoRecord
      const started = await client.action('pools', pool.id, 'rolling_reboot', {}, signal)
      expect(started.location).toBe(`/rest/v0/tasks/${started.taskId}`)
      const seen: XoTaskProgress[] = []
      const onProgress = (task: XoTaskProgress): number => seen.push(task)
      expect(await client.followTask(started.taskId, { onProgress }, signal)).toBeUndefined()
      expect(seen[0]).toMatchObject({ id: started.taskId, status: 'pending' })
      expect(seen.at(-1)).toMatchObject({ id: started.taskId, status: 'success' })
      const percents = seen
        .filter((t) => t.status === 'pending')
        .map((t) => t.properties?.progress)
        .filter((p) => p !== undefined)
      expect(percents.length).toBeGreaterThan(0) // how many depends on timing; their order does not
      expect([0, 25, 50, 75].filter((p) => percents.includes(p))).toEqual(percents)
    } finally {
      await client.close()
      await slow.close()
    }
  })

  it('reports a failing action as a readable error naming the VM and its state', async () => {
    const vm = vms('Running')[0] as XoRecord
    const failure = await failureOf(xo.startAndFollow('vms', vm.id, 'start', {}, () => {}, signal))
    expect(failure.appError.code).toBe('xo-failed')
    expect(failure.appError.message).toContain(String(vm['name_label']))
    expect(failure.appError.message).toMatch(/is running, but this needs it halted/)
    expect(failure.appError.message).toContain(xo.host)
  })

  it('returns the id of a snapshot made synchronously, and nothing for a 204', async () => {
    const vm = vms('Running')[1] as XoRecord
    const snap = await xo.action(
      'vms',
      vm.id,
      'snapshot',
      { sync: true, body: { name_label: 'before' } },
      signal,
    )
    expect(sim.lab.store.get('vm-snapshots', snap?.id ?? '')).toBeDefined()
    expect(await xo.action('vms', vm.id, 'pause', { sync: true }, signal)).toBeUndefined()
  })

  it('returns a snapshot id through startAndFollow too', async () => {
    const vm = vms('Running')[2] as XoRecord
    const result = (await xo.startAndFollow('vms', vm.id, 'snapshot', {}, undefined, signal)) as {
      id: string
    }
    expect(sim.lab.store.get('vm-snapshots', result.id)).toBeDefined()
  })

  it('renames with PATCH, and tags with characters that need encoding', async () => {
    const vm = vms('Halted')[1] as XoRecord
    await xo.patch('vms', vm.id, { nameLabel: 'renamed by client' }, signal)
    await xo.addTag('vms', vm.id, 'env=prod/eu', signal)
    await xo.addTag('vms', vm.id, 'env=prod/eu', signal)
    expect(sim.lab.store.get('vms', vm.id)).toMatchObject({ name_label: 'renamed by client' })
    expect(sim.lab.store.get('vms', vm.id)?.['tags']).toContain('env=prod/eu')
    await xo.removeTag('vms', vm.id, 'env=prod/eu', signal)
    expect(sim.lab.store.get('vms', vm.id)?.['tags']).not.toContain('env=prod/eu')
  })

  it('deletes a snapshot; deleting it again says it is gone', async () => {
    const snap = [...sim.lab.store.list('vm-snapshots')][0] as XoRecord
    await xo.delete('vm-snapshots', snap.id, signal)
    expect(sim.lab.store.get('vm-snapshots', snap.id)).toBeUndefined()
    expect((await failureOf(xo.delete('vm-snapshots', snap.id, signal))).appError.code).toBe(
      'not-found',
    )
  })
})

describe('signing in', () => {
  it('creates a token with the password through XO’s 307, never sending the cookie alongside', async () => {
    // The client holds a token: were the cookie sent with Basic, XO would answer 400
    // (docs/xo-rest-api.md#authentication).
    const token = await xo.createToken(
      {
        username: 'admin@admin.net',
        password: 'admin',
        description: 'XO Desk test',
        expiresIn: '1 hour',
        clientId: 'xo-desk-test',
      },
      signal,
    )
    expect(token).toMatchObject({ description: 'XO Desk test', client: { id: 'xo-desk-test' } })
    expect(token.id).toMatch(/^[\w-]{43}$/)
    const fresh = new XoClient({ baseUrl: sim.url, token: () => token.id })
    expect(await fresh.list('pools', {}, signal)).not.toHaveLength(0)
    await fresh.close()
  })

  it('says the password is wrong without repeating it', async () => {
    const failure = await failureOf(
      xo.createToken({ username: 'operator@lab.local', password: 'wrong-pass' }, signal),
    )
    expect(failure.appError.code).toBe('auth-invalid')
    expect(JSON.stringify(failure.appError)).not.toContain('wrong-pass')
  })
})
