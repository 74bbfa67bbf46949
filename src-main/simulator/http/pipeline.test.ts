// XO's status codes and error bodies, as docs/xo-rest-api.md describes them, each seen on the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CollectionName, XoRecord } from '../lab/types'
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

describe('authentication (docs/xo-rest-api.md#authentication)', () => {
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

  it('answers 403 without looking the user up when creating a token for anyone else, known or not', async () => {
    const forbidden = {
      error: 'forbidden operation: create authentication token',
      data: {
        operation: 'create authentication token',
        reason: 'you can only create token for yourself',
      },
    }
    for (const id of [sim.lab.adminUserId, '00000000-0000-4000-8000-00000000beef']) {
      const res = await call(sim.url, 'POST', `/users/${id}/authentication_tokens`, {
        basic: operator,
        body: { description: 'not mine' },
      })
      expect(res.status, id).toBe(403)
      expect(res.json).toEqual(forbidden)
    }
  })

  it('answers 404 for an unknown user, then 403 for another one, when listing tokens', async () => {
    const unknown = '00000000-0000-4000-8000-00000000beef'
    const missing = await call(sim.url, 'GET', `/users/${unknown}/authentication_tokens`, {
      basic: operator,
    })
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({
      error: `no such user ${unknown}`,
      data: { id: unknown, type: 'user' },
    })
    const other = await call(
      sim.url,
      'GET',
      `/users/${sim.lab.adminUserId}/authentication_tokens`,
      {
        basic: operator,
      },
    )
    expect(other.status).toBe(403)
    expect(other.json).toEqual({
      error: 'forbidden operation: get authentication tokens',
      data: {
        operation: 'get authentication tokens',
        reason: 'can only see own authentication tokens',
      },
    })
  })
})

describe('authorization (docs/xo-rest-api.md#authentication)', () => {
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

describe('errors (docs/xo-rest-api.md#errors)', () => {
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

  it('answers 422 keyed by the excess property, valued by its name, for name_label in a VM PATCH (its body is an interface)', async () => {
    const res = await call(sim.url, 'PATCH', `/vms/${anyVm}`, {
      token: sim.token,
      body: { name_label: 'x' },
    })
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: {
        'body.name_label': {
          message: '"name_label" is an excess property and therefore is not allowed',
          value: 'name_label',
        },
      },
      data: {},
    })
  })

  it('answers 422 keyed by the body, valued by the excess properties, when an inline body has unknown ones', async () => {
    const halted = [...sim.lab.store.list('vms')].find((vm) => vm['power_state'] === 'Halted')
    const res = await call(sim.url, 'POST', `/vms/${halted?.id}/actions/start`, {
      token: sim.token,
      body: { force: true, paused: false },
    })
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: {
        body: {
          message: '"force,paused" is an excess property and therefore is not allowed',
          value: { force: true, paused: false },
        },
      },
      data: {},
    })
  })

  it('answers 422 "Value does not match any allowed schema" for a value outside an enum (a union of literals for tsoa)', async () => {
    const res = await call(sim.url, 'PATCH', `/vms/${anyVm}`, {
      token: sim.token,
      body: { vga: 'vesa', videoram: 3 },
    })
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: {
        'body.vga': { message: 'Value does not match any allowed schema', value: 'vesa' },
        'body.videoram': { message: 'Value does not match any allowed schema', value: 3 },
      },
      data: {},
    })
    const running = [...sim.lab.store.list('vms')].find((vm) => vm['power_state'] === 'Running')
    const stats = await get(`/vms/${running?.id}/stats?granularity=weeks`)
    expect(stats.status).toBe(422)
    expect(stats.json).toEqual({
      error: {
        granularity: { message: 'Value does not match any allowed schema', value: 'weeks' },
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

const UNKNOWN = '00000000-0000-4000-8000-00000000dead'
const vmIn = (state: string): XoRecord => {
  const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === state)
  if (!vm) throw new Error(`the lab has no ${state} VM`)
  return vm
}
const first = (collection: CollectionName, test: (r: XoRecord) => boolean = () => true) => {
  const record = [...sim.lab.store.list(collection)].find(test)
  if (!record) throw new Error(`the lab has no fitting ${collection}`)
  return record
}

describe('objects named in the body (dist/middlewares/acl.middleware.mjs)', () => {
  it('answers 404 no such host before creating a task when start names an unknown host', async () => {
    const vm = vmIn('Halted')
    const tasks = sim.lab.store.count('tasks')
    const res = await call(sim.url, 'POST', `/vms/${vm.id}/actions/start`, {
      token: sim.token,
      body: { hostId: UNKNOWN },
    })
    expect(res.status).toBe(404)
    expect(res.json).toEqual({
      error: `no such host ${UNKNOWN}`,
      data: { id: UNKNOWN, type: 'host' },
    })
    expect(sim.lab.store.count('tasks')).toBe(tasks)
    expect(sim.lab.store.get('vms', vm.id)?.['power_state']).toBe('Halted')
  })

  it('answers 404 before any task, and before tsoa looks at the body, for every body id an action acl fetches', async () => {
    const vm = vmIn('Running')
    const vdi = first('vdis')
    const host = first('hosts')
    const pool = first('pools')
    const cases: [string, Record<string, unknown>, string][] = [
      [`/vms/${vm.id}/actions/migrate`, { hostId: UNKNOWN }, 'host'],
      [`/vdis/${vdi.id}/actions/migrate`, { srId: UNKNOWN }, 'SR'],
      [`/hosts/${host.id}/actions/management_reconfigure`, { pif: UNKNOWN }, 'PIF'],
      [`/pools/${pool.id}/actions/add_host`, { host: UNKNOWN }, 'host'],
      [`/pools/${pool.id}/actions/management_reconfigure`, { network: UNKNOWN }, 'network'],
    ]
    const tasks = sim.lab.store.count('tasks')
    for (const [path, body, type] of cases) {
      // An excess property too: tsoa would refuse it with 422, but the acl answers first.
      const res = await call(sim.url, 'POST', path, {
        token: sim.token,
        body: { ...body, excess: 1 },
      })
      expect(res.status, path).toBe(404)
      expect(res.json, path).toEqual({
        error: `no such ${type} ${UNKNOWN}`,
        data: { id: UNKNOWN, type },
      })
    }
    expect(sim.lab.store.count('tasks')).toBe(tasks)
  })

  it('answers 422 invalid string value, keyed by its body path, for a host id that is not a string', async () => {
    const res = await call(sim.url, 'POST', `/vms/${vmIn('Halted').id}/actions/start`, {
      token: sim.token,
      body: { hostId: 42 },
    })
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: { 'body.hostId': { message: 'invalid string value', value: 42 } },
      data: {},
    })
  })

  it('fails the clone task, not the request, for an unknown SR: the clone action fetches it itself', async () => {
    const res = await call(sim.url, 'POST', `/vms/${vmIn('Halted').id}/actions/clone`, {
      token: sim.token,
      body: { name_label: 'copy', srId: UNKNOWN },
    })
    expect(res.status).toBe(202)
    const { taskId } = res.json as { taskId: string }
    const task = await get(`/tasks/${taskId}?wait=true`)
    expect(task.json).toMatchObject({
      status: 'failure',
      result: { data: { id: UNKNOWN, type: 'SR' }, message: `no such SR ${UNKNOWN}` },
    })
  })
})

describe('requests without a JSON body (express.json() leaves req.body = {})', () => {
  it('answers 204 and changes nothing to a VM PATCH sent without a body or a content type', async () => {
    const vm = vmIn('Halted')
    const before = sim.lab.store.get('vms', vm.id)
    const changes: string[] = []
    const stop = sim.lab.store.subscribe((kind, collection, record) => {
      if (record.id === vm.id) changes.push(`${kind} ${collection}`)
    })
    try {
      const bare = await call(sim.url, 'PATCH', `/vms/${vm.id}`, { token: sim.token })
      expect(bare.status).toBe(204)
      expect(bare.text).toBe('')
      // A JSON text sent as text/plain is not parsed either: tsoa sees {} again.
      const plain = await call(sim.url, 'PATCH', `/vms/${vm.id}`, {
        token: sim.token,
        body: JSON.stringify({ nameLabel: 'renamed' }),
        headers: { 'content-type': 'text/plain' },
      })
      expect(plain.status).toBe(204)
    } finally {
      stop()
    }
    expect(sim.lab.store.get('vms', vm.id)).toEqual(before)
    expect(changes).toEqual([])
  })

  it('answers 422 for each missing property when a required body is not sent at all', async () => {
    const res = await call(sim.url, 'POST', `/vms/${anyVm}/actions/revert_snapshot`, {
      token: sim.token,
    })
    expect(res.status).toBe(422)
    expect(res.json).toEqual({
      error: { 'body.snapshotId': { message: "'snapshotId' is required" } },
      data: {},
    })
  })
})

describe('action tasks (dist/abstract-classes/base-controller.mjs)', () => {
  /** Every version of the task while it lives, from the store, so none is missed. */
  async function taskVersions(path: string, body?: unknown): Promise<XoRecord[]> {
    const versions: XoRecord[] = []
    const stop = sim.lab.store.subscribe((_kind, collection, record) => {
      if (collection === 'tasks') versions.push(record)
    })
    try {
      const res = await call(sim.url, 'POST', path, { token: sim.token, body })
      expect(res.status, res.text).toBe(202)
      const { taskId } = res.json as { taskId: string }
      await get(`/tasks/${taskId}?wait=true`)
      return versions.filter((t) => t.id === taskId)
    } finally {
      stop()
    }
  }
  const progressOf = (task: XoRecord) => (task['properties'] as { progress?: number }).progress

  it('sets no progress on a VM start task, as XO sets it only for rolling pool reboots and updates', async () => {
    const versions = await taskVersions(`/vms/${vmIn('Halted').id}/actions/start`, {})
    expect(versions.at(-1)).toMatchObject({ status: 'success' })
    expect(versions.map(progressOf)).toEqual(versions.map(() => undefined))
  })

  it('starts a rolling pool reboot task at progress 0 and only moves it forward', async () => {
    const versions = await taskVersions(`/pools/${first('pools').id}/actions/rolling_reboot`, {})
    expect(versions.at(-1)).toMatchObject({ status: 'success' })
    const progress = versions.map(progressOf)
    expect(progress[0]).toBe(0)
    expect(progress.every((p) => typeof p === 'number')).toBe(true)
    expect([...progress].sort((a = 0, b = 0) => a - b)).toEqual(progress)
  })

  it('puts the failed synchronous XAPI call on the task: VM.start, its arguments, no session id', async () => {
    const vm = vmIn('Running')
    const res = await call(sim.url, 'POST', `/vms/${vm.id}/actions/start`, { token: sim.token })
    const { taskId } = res.json as { taskId: string }
    const task = await get(`/tasks/${taskId}?wait=true`)
    const ref = String(vm['_xapiRef'])
    expect(task.json).toMatchObject({
      status: 'failure',
      result: {
        code: 'VM_BAD_POWER_STATE',
        params: [ref, 'halted', 'running'],
        call: { method: 'VM.start', params: [ref, false, false], duration: expect.any(Number) },
        message: `VM_BAD_POWER_STATE(${ref}, halted, running)`,
        name: 'XapiError',
      },
    })
    expect((task.json as { result: object }).result).not.toHaveProperty('task')
  })

  it('puts the failed XAPI task on the task for an Async call: clean_shutdown of a halted VM', async () => {
    const vm = vmIn('Halted')
    const res = await call(sim.url, 'POST', `/vms/${vm.id}/actions/clean_shutdown`, {
      token: sim.token,
    })
    const { taskId } = res.json as { taskId: string }
    const task = await get(`/tasks/${taskId}?wait=true`)
    const ref = String(vm['_xapiRef'])
    const params = [ref, 'running', 'halted']
    expect(task.json).toMatchObject({
      status: 'failure',
      result: {
        code: 'VM_BAD_POWER_STATE',
        params,
        task: {
          name_label: 'Async.VM.clean_shutdown',
          status: 'failure',
          progress: 1,
          error_info: ['VM_BAD_POWER_STATE', ...params],
          created: expect.stringMatching(/^\d{8}T\d\d:\d\d:\d\dZ$/),
        },
        name: 'XapiError',
      },
    })
    expect((task.json as { result: object }).result).not.toHaveProperty('call')
  })
})
