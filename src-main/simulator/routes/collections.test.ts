// Collections, objects, PATCH, tags and actions as an XO client sees them (docs/xo-rest-api.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../server'
import { call } from '../../test-support/simulator-call'

let sim: RunningSimulator
const get = (path: string) => call(sim.url, 'GET', path, { token: sim.token })
const post = (path: string, body?: unknown) =>
  call(sim.url, 'POST', path, { token: sim.token, body })

beforeAll(async () => {
  sim = await startSimulator({ seed: 'collections', life: false, actionDelayMs: 5 })
})
afterAll(() => sim.close())

function vms(state?: string) {
  return [...sim.lab.store.list('vms')].filter(
    (vm) => state === undefined || vm['power_state'] === state,
  )
}

describe('collections (docs/xo-rest-api.md#collections-and-fields)', () => {
  it('lists hrefs by default, one per VM, pointing at /rest/v0/vms/<id>', async () => {
    const res = await get('/vms')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    const hrefs = res.json as string[]
    expect(hrefs).toHaveLength(vms().length)
    expect(hrefs[0]).toBe(`/rest/v0/vms/${vms()[0]?.id}`)
  })

  it('returns only the asked fields plus href, and understands property paths', async () => {
    const res = await get('/vms?fields=name_label,memory.size,no_such_field&limit=2')
    const first = vms()[0]
    expect(res.json).toHaveLength(2)
    expect((res.json as unknown[])[0]).toEqual({
      name_label: first?.['name_label'],
      memory: { size: (first?.['memory'] as { size: number }).size },
      href: `/rest/v0/vms/${first?.id}`,
    })
  })

  it('filters with complex-matcher: case-insensitive substring on the full object', async () => {
    const res = await get('/vms?fields=power_state&filter=power_state:run')
    const states = (res.json as { power_state: string }[]).map((v) => v.power_state)
    expect(states.length).toBe(vms('Running').length)
    expect(new Set(states)).toEqual(new Set(['Running']))
  })

  it('streams NDJSON, one JSON value per line, when ndjson=true', async () => {
    const res = await get('/vms?fields=name_label&ndjson=true')
    expect(res.headers['content-type']).toBe('application/x-ndjson')
    const lines = res.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { name_label: string })
    expect(lines).toHaveLength(vms().length)
    expect(lines[0]?.name_label).toBe(vms()[0]?.['name_label'])
  })

  it('renders a markdown table, and refuses ndjson and markdown together', async () => {
    const res = await get('/hosts?fields=name_label,power_state&markdown=true')
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8')
    expect(res.text.split('\n').slice(0, 2)).toEqual([
      '| name_label | power_state |',
      '| --- | --- |',
    ])
    expect((await get('/hosts?markdown=true&ndjson=true')).status).toBe(422)
  })

  it('answers an empty match with [] and limit=0 with []', async () => {
    expect((await get('/vms?filter=name_label:no-such-vm-anywhere')).json).toEqual([])
    expect((await get('/vms?limit=0')).json).toEqual([])
  })

  it('shows only the objects a non-admin may read, never a 403', async () => {
    const account = sim.lab.lab.accounts.find((a) => a.permission === 'none')
    const res = await call(sim.url, 'GET', '/vms?fields=tags', {
      basic: { user: account?.name ?? '', password: account?.password ?? '' },
    })
    expect(res.status).toBe(200)
    const visible = res.json as { tags: string[] }[]
    expect(visible.length).toBeLessThan(vms().length)
    for (const vm of visible) expect(vm.tags).toContain('staging')
  })
})

describe('objects, PATCH and tags (docs/xo-rest-api.md#single-objects-patch-and-delete)', () => {
  it('returns the whole object without href', async () => {
    const vm = vms()[0]
    const res = await get(`/vms/${vm?.id}`)
    expect(res.json).toEqual(vm)
  })

  it('renames a VM with camelCase PATCH, visible in the next read', async () => {
    const vm = vms('Halted')[0]
    const res = await call(sim.url, 'PATCH', `/vms/${vm?.id}`, {
      token: sim.token,
      body: { nameLabel: 'renamed-by-test', cpus: 2 },
    })
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    expect((await get(`/vms/${vm?.id}`)).json).toMatchObject({
      name_label: 'renamed-by-test',
      CPUs: { number: 2 },
    })
  })

  it('adds and removes a tag, idempotently, with 204', async () => {
    const vm = vms()[1]
    for (let i = 0; i < 2; i++)
      expect(
        (await call(sim.url, 'PUT', `/vms/${vm?.id}/tags/env%3Dtest`, { token: sim.token })).status,
      ).toBe(204)
    expect(
      ((await get(`/vms/${vm?.id}`)).json as { tags: string[] }).tags.filter(
        (t) => t === 'env=test',
      ),
    ).toHaveLength(1)
    expect(
      (await call(sim.url, 'DELETE', `/vms/${vm?.id}/tags/env%3Dtest`, { token: sim.token }))
        .status,
    ).toBe(204)
    expect(((await get(`/vms/${vm?.id}`)).json as { tags: string[] }).tags).not.toContain(
      'env=test',
    )
  })

  it("lists a VM's disks through its VBDs, with canonical VDI hrefs", async () => {
    const vm = vms().find((v) => ((v['$VBDs'] as string[]) ?? []).length > 0)
    const res = await get(`/vms/${vm?.id}/vdis`)
    expect((res.json as string[]).every((h) => h.startsWith('/rest/v0/vdis/'))).toBe(true)
    expect((res.json as string[]).length).toBeGreaterThan(0)
  })
})

describe('actions and tasks (docs/xo-rest-api.md#actions-and-tasks)', () => {
  it('starts a halted VM asynchronously: 202, a task that succeeds, and the VM running on a host', async () => {
    const vm = vms('Halted')[0]
    const res = await post(`/vms/${vm?.id}/actions/start`)
    expect(res.status).toBe(202)
    const { taskId } = res.json as { taskId: string }
    expect((await get(`/tasks/${taskId}?wait=true`)).json).toMatchObject({
      status: 'success',
      end: expect.any(Number),
    })
    const after = (await get(`/vms/${vm?.id}`)).json as Record<string, unknown>
    expect(after['power_state']).toBe('Running')
    expect(sim.lab.store.get('hosts', after['$container'] as string)).toBeDefined()
    expect(sim.lab.store.get('hosts', after['$container'] as string)?.['residentVms']).toContain(
      vm?.id,
    )
  })

  it('snapshots synchronously: 201, the new id and its Location', async () => {
    const vm = vms('Running')[0]
    const res = await post(`/vms/${vm?.id}/actions/snapshot?sync=true`, {
      name_label: 'before-upgrade',
    })
    expect(res.status).toBe(201)
    const { id } = res.json as { id: string }
    expect(res.headers['location']).toBe(`/rest/v0/vm-snapshots/${id}`)
    expect((await get(`/vm-snapshots/${id}`)).json).toMatchObject({
      name_label: 'before-upgrade',
      $snapshot_of: vm?.id,
    })
    expect(((await get(`/vms/${vm?.id}`)).json as { snapshots: string[] }).snapshots).toContain(id)
  })

  it('refuses wait=result, which older XO took, with 422', async () => {
    const task = [...sim.lab.store.list('tasks')][0]
    expect((await get(`/tasks/${task?.id}?wait=result`)).status).toBe(422)
  })

  it('refuses watch=true without ndjson=true with 400', async () => {
    const res = await get('/tasks?watch=true')
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error: 'watch=true requires ndjson=true' })
  })
})
