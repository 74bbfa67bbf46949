// XO's status codes and error bodies, as GUIDE §§ 2–7 describe them, each seen on the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../server'
import { call } from '../../test-support/simulator-call'

let sim: RunningSimulator
let operator: { user: string; password: string }
let anyVm: string

beforeAll(async () => {
  sim = await startSimulator({ seed: 'pipeline', life: false, actionDelayMs: 5 })
  const account = sim.lab.lab.accounts.find((a) => a.permission === 'none')
  if (!account) throw new Error('the lab needs a non-admin account')
  operator = { user: account.name, password: account.password }
  anyVm = [...sim.lab.store.list('vms')][0]?.id ?? ''
})
afterAll(() => sim.close())

const get = (path: string, token = sim.token) => call(sim.url, 'GET', path, { token })

describe('authentication (GUIDE §2)', () => {
  it('answers 401 with the Basic challenge and XO body when no credentials are sent', async () => {
    const res = await call(sim.url, 'GET', '/vms')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Basic realm="xo"')
    expect(res.json).toEqual({ error: 'invalid credentials' })
  })

  it('answers 401 for a wrong token, even on /ping which needs none', async () => {
    expect((await get('/vms', 'not-a-token')).status).toBe(401)
    expect((await get('/ping', 'not-a-token')).status).toBe(401)
    expect((await call(sim.url, 'GET', '/ping')).status).toBe(200)
  })

  it('answers 401 once a token has expired', async () => {
    sim.faults.next('GET', '/hosts', { kind: 'expire-token' })
    const token = sim.lab.auth.issueToken(sim.lab.adminUserId, { expiresIn: '1 hour' }).id
    expect((await get('/hosts', token)).status).toBe(401)
    expect((await get('/hosts', token)).status).toBe(401)
  })

  it('refuses a cookie and an Authorization header together with 400', async () => {
    const res = await call(sim.url, 'GET', '/vms', { token: sim.token, basic: operator })
    expect(res.status).toBe(400)
    expect(res.json).toEqual({
      error: 'Having multiple authentication methods is not supported, please choose one',
    })
  })

  it('treats a Bearer token as Basic, so it is refused', async () => {
    const res = await call(sim.url, 'GET', '/vms', {
      headers: { authorization: `Bearer ${sim.token}` },
    })
    expect(res.status).toBe(401)
  })

  it('accepts Basic auth on any route', async () => {
    expect((await call(sim.url, 'GET', '/vms', { basic: operator })).status).toBe(200)
  })

  it('redirects /users/me/… to the caller id with 307, keeping path and query', async () => {
    const res = await call(sim.url, 'POST', '/users/me/authentication_tokens?x=1', {
      basic: operator,
      body: {},
    })
    expect(res.status).toBe(307)
    const account = sim.lab.lab.accounts.find((a) => a.name === operator.user)
    expect(res.headers['location']).toBe(
      `/rest/v0/users/${account?.userId}/authentication_tokens?x=1`,
    )
  })

  it('creates a token for yourself: 201 with the whole token record, usable as the cookie', async () => {
    const account = sim.lab.lab.accounts.find((a) => a.name === operator.user)
    const res = await call(sim.url, 'POST', `/users/${account?.userId}/authentication_tokens`, {
      basic: operator,
      body: { description: 'test', expiresIn: '1 hour', client: { id: 'xo-desk-test' } },
    })
    expect(res.status).toBe(201)
    const token = (res.json as { token: { id: string; user_id: string; expiration: number } }).token
    expect(token.id).toMatch(/^[\w-]{43}$/)
    expect(token.user_id).toBe(account?.userId)
    expect((await get('/vms', token.id)).status).toBe(200)
  })
})

describe('authorization (GUIDE §2.3)', () => {
  it('answers 403 "not enough permissions" to a non-admin on an admin-only route', async () => {
    const res = await call(sim.url, 'GET', '/dashboard', { basic: operator })
    expect(res.status).toBe(403)
    expect(res.json).toEqual({ error: 'not enough permissions', data: { object: {} } })
  })

  it('answers 403 naming the missing privilege when a non-admin acts on an object it may not', async () => {
    const prod = [...sim.lab.store.list('vms')].find(
      (vm) => !((vm['tags'] as string[]) ?? []).includes('staging'),
    )
    const res = await call(sim.url, 'POST', `/vms/${prod?.id}/actions/start`, { basic: operator })
    expect(res.status).toBe(403)
    expect(res.json).toEqual({
      error: 'not enough privileges',
      data: { missingPrivileges: [{ objectId: prod?.id, action: 'start', resource: 'vm' }] },
    })
  })
})

describe('errors (GUIDE §7)', () => {
  it('answers 404 with the XO type for an unknown id', async () => {
    const id = '00000000-0000-4000-8000-000000000000'
    const res = await get(`/vms/${id}`)
    expect(res.status).toBe(404)
    expect(res.json).toEqual({ error: `no such VM ${id}`, data: { id, type: 'VM' } })
  })

  it('answers an unknown path like Express: a 404 HTML page, not an XO error', async () => {
    const res = await get('/no-such-collection')
    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.text).toContain('Cannot GET /rest/v0/no-such-collection')
  })

  it('answers 400 with stringToParse for an unparsable filter', async () => {
    const res = await get('/vms?filter=name_label:(')
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({
      error: expect.stringMatching(/^parse error/),
      data: { stringToParse: 'name_label:(' },
    })
  })

  it('answers 422 in tsoa form for a bare boolean flag', async () => {
    const res = await get('/vms?ndjson')
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: { ndjson: { message: 'invalid boolean value', value: '' } },
      data: {},
    })
  })

  it('answers 422 for a body property the route does not know (PATCH /vms speaks camelCase)', async () => {
    const res = await call(sim.url, 'PATCH', `/vms/${anyVm}`, {
      token: sim.token,
      body: { name_label: 'x' },
    })
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: {
        body: {
          message: '"name_label" is an excess property and therefore is not allowed',
          value: { name_label: 'x' },
        },
      },
      data: {},
    })
  })

  it('answers 422 when a required body property is missing', async () => {
    const res = await call(sim.url, 'POST', `/vms/${anyVm}/actions/revert_snapshot`, {
      token: sim.token,
      body: {},
    })
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: { 'body.snapshotId': { message: "'snapshotId' is required" } },
      data: {},
    })
  })

  it('answers 500 with the parser message for malformed JSON', async () => {
    const res = await call(sim.url, 'PATCH', `/vms/${anyVm}`, {
      token: sim.token,
      body: '{"nameLabel":',
    })
    expect(res.status).toBe(500)
    expect(res.json).toMatchObject({ error: expect.any(String) })
  })

  it('answers 409 "incorrect state" for a host action in the wrong state', async () => {
    const halted = [...sim.lab.store.list('hosts')].find((h) => h['power_state'] !== 'Running')
    const host = halted ?? [...sim.lab.store.list('hosts')][0]
    if (!halted && host) sim.lab.store.update('hosts', host.id, { power_state: 'Halted' })
    const res = await call(sim.url, 'POST', `/hosts/${host?.id}/actions/scan_pifs?sync=true`, {
      token: sim.token,
    })
    expect(res.status).toBe(409)
    expect(res.json).toMatchObject({
      error: 'incorrect state',
      data: { property: 'power_state', expected: 'Running' },
    })
  })

  it('shows a failed asynchronous action on its task, as an XAPI error', async () => {
    const running = [...sim.lab.store.list('vms')].find((vm) => vm['power_state'] === 'Running')
    const res = await call(sim.url, 'POST', `/vms/${running?.id}/actions/start`, {
      token: sim.token,
    })
    expect(res.status).toBe(202)
    const { taskId } = res.json as { taskId: string }
    expect(res.headers['location']).toBe(`/rest/v0/tasks/${taskId}`)
    const task = await get(`/tasks/${taskId}?wait=true`)
    expect(task.json).toMatchObject({
      status: 'failure',
      properties: {
        name: 'REST API: start VM',
        type: 'xo:rest-api:action',
        objectType: 'VM',
        objectId: running?.id,
      },
      result: {
        code: 'VM_BAD_POWER_STATE',
        params: [expect.any(String), 'halted', 'running'],
        name: 'XapiError',
      },
    })
  })

  it('answers the same failure synchronously as a 500 with the XAPI info line', async () => {
    const running = [...sim.lab.store.list('vms')].find((vm) => vm['power_state'] === 'Running')
    const res = await call(sim.url, 'POST', `/vms/${running?.id}/actions/start?sync=true`, {
      token: sim.token,
    })
    expect(res.status).toBe(500)
    expect(res.json).toEqual({
      error: expect.stringMatching(/^VM_BAD_POWER_STATE\(/),
      info: 'This is a XenServer/XCP-ng error, not an XO error',
    })
  })
})
