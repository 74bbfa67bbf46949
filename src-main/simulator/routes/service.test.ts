// Service routes, the simulator's OpenAPI document, deprecated backup aliases and backup archives
// as an XO client sees them (docs/xo-rest-api.md#authentication and #quirks-of-0390).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSpec } from '../../../scripts/xo-spec'
import { OPERATIONS } from '../generated/operations'
import type { CollectionName, XoRecord } from '../lab/types'
import { startSimulator, type RunningSimulator } from '../server'
import { createSpecValidator } from '../../test-support/spec-validator'
import { call } from '../../test-support/simulator-call'

const validator = createSpecValidator(loadSpec())
let sim: RunningSimulator
const get = (path: string) => call(sim.url, 'GET', path, { token: sim.token })
const anonymous = (path: string) => call(sim.url, 'GET', path)

beforeAll(async () => {
  sim = await startSimulator({ seed: 'test', actionDelayMs: 10, life: false })
})
afterAll(() => sim.close())

const all = (collection: CollectionName): XoRecord[] => [...sim.lab.store.list(collection)]
const jobOfType = (type: string): XoRecord =>
  all('backup-jobs').find((j) => j['type'] === type) as XoRecord
const archivePath = (id: string): string => `/backup-archives/${encodeURIComponent(id)}`

function expectFitsSpec(path: string, body: unknown): void {
  const ref = validator.responseSchemaRef('get', path, 200)
  expect(ref, `${path} has a JSON schema`).toBeDefined()
  expect(validator.validateSchema(ref as string, body)).toEqual([])
}

describe('unauthenticated service routes (docs/xo-rest-api.md#authentication)', () => {
  it('answers ping without credentials, with the time in milliseconds', async () => {
    const before = Date.now()
    const res = await anonymous('/ping')
    expect(res.status).toBe(200)
    expectFitsSpec('/ping', res.json)
    const { result, timestamp } = res.json as { result: string; timestamp: number }
    expect(result).toBe('pong')
    expect(timestamp).toBeGreaterThanOrEqual(before)
    expect(timestamp).toBeLessThanOrEqual(Date.now())
  })

  it('lists the web UIs and the MCP status without credentials', async () => {
    const gui = await anonymous('/gui-routes')
    expect(gui.json).toEqual({ xo5: '/', xo6: '/v6' })
    expectFitsSpec('/gui-routes', gui.json)
    const mcp = await anonymous('/mcp/status')
    expect(mcp.json).toEqual({ enabled: true })
    expectFitsSpec('/mcp/status', mcp.json)
  })

  it('still refuses a bad cookie on ping: credentials are checked on every path', async () => {
    const res = await call(sim.url, 'GET', '/ping', { token: 'not-a-token' })
    expect(res.status).toBe(401)
  })
})

describe('GET /docs/swagger.json', () => {
  it('is an OpenAPI 3 document of every operation the simulator serves, readable without auth', async () => {
    const res = await anonymous('/docs/swagger.json')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    const doc = res.json as {
      openapi: string
      info: { version: string }
      servers: { url: string }[]
      paths: Record<string, Record<string, { operationId: string; security: unknown[] }>>
      components: { schemas: Record<string, unknown> }
    }
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/)
    expect(doc.info.version).toBe('0.39.0')
    expect(doc.servers).toEqual([{ url: '/rest/v0' }])
    const operations = Object.values(doc.paths).flatMap((byMethod) => Object.values(byMethod))
    expect(operations).toHaveLength(OPERATIONS.length)
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(OPERATIONS.length)
    expect(doc.paths['/ping']?.['get']?.security).toEqual([])

    const dangling = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)]
      .map((m) => m[1] as string)
      .filter((name) => !(name in doc.components.schemas))
    expect(dangling).toEqual([])
  })
})

describe('deprecated backup routes (docs/xo-rest-api.md#quirks-of-0390)', () => {
  it('/backup/jobs/vm lists the VM backup jobs of /backup-jobs, with canonical hrefs', async () => {
    const deprecated = (await get('/backup/jobs/vm?fields=*')).json as XoRecord[]
    expectFitsSpec('/backup/jobs/vm', deprecated)
    const current = (await get('/backup-jobs?fields=*')).json as XoRecord[]
    expect(deprecated).toEqual(current.filter((job) => job['type'] === 'backup'))
    expect((await get('/backup/jobs/vm')).json).toEqual(
      deprecated.map((j) => `/rest/v0/backup-jobs/${j.id}`),
    )
  })

  it("serves each job kind under its own alias, and 404s with XO's messages otherwise", async () => {
    for (const [kind, type] of [
      ['vm', 'backup'],
      ['metadata', 'metadataBackup'],
      ['mirror', 'mirrorBackup'],
    ] as const) {
      const job = jobOfType(type)
      const res = await get(`/backup/jobs/${kind}/${job.id}`)
      expect(res.status).toBe(200)
      expect(res.json).toEqual((await get(`/backup-jobs/${job.id}`)).json)
      expectFitsSpec(`/backup/jobs/${kind}/{id}`, res.json)
    }
    const metadata = jobOfType('metadataBackup')
    expect((await get(`/backup/jobs/vm/${metadata.id}`)).json).toEqual({
      error: `no such backup ${metadata.id}`,
      data: { id: metadata.id, type: 'backup' },
    })
    const unknown = await get('/backup/jobs/mirror/0000')
    expect(unknown.status).toBe(404)
    expect(unknown.json).toEqual({ error: 'no such job 0000', data: { id: '0000', type: 'job' } })
  })

  it("redirects /backup/jobs/metadata and /backup/jobs/mirror: XO's hidden /backup/jobs/:id shadows them", async () => {
    for (const kind of ['metadata', 'mirror']) {
      const res = await get(`/backup/jobs/${kind}`)
      expect(res.status).toBe(308)
      expect(res.headers['location']).toBe(`/rest/v0/backup/jobs/vm/${kind}`)
    }
  })

  it('filters the RBAC-scoped aliases for a non-admin and refuses the admin-only ones', async () => {
    const operator = sim.lab.lab.accounts.find((a) => a.permission === 'none') as {
      name: string
      password: string
    }
    const as = (path: string) =>
      call(sim.url, 'GET', path, { basic: { user: operator.name, password: operator.password } })
    // The operator's role grants no backup-job or backup-log read: empty lists, not 403
    // (docs/xo-rest-api.md#collections-and-fields).
    for (const path of ['/backup/jobs/vm', '/backup/logs']) {
      const res = await as(path)
      expect(res.status, path).toBe(200)
      expect(res.json).toEqual([])
    }
    for (const path of [
      '/restore/logs',
      '/backup/jobs/metadata',
      `/backup/jobs/vm/${jobOfType('backup').id}`,
    ]) {
      const res = await as(path)
      expect(res.status, path).toBe(403)
      expect(res.json).toEqual({ error: 'not enough permissions', data: { object: {} } })
    }
  })

  it('/backup/logs and /restore/logs hold the same logs as /backup-logs and /restore-logs', async () => {
    for (const [old, current] of [
      ['/backup/logs', '/backup-logs'],
      ['/restore/logs', '/restore-logs'],
    ] as const) {
      const deprecated = (await get(`${old}?fields=*`)).json as XoRecord[]
      expectFitsSpec(old, deprecated)
      const now = (await get(`${current}?fields=*`)).json as XoRecord[]
      const byId = (list: XoRecord[]) => [...list].sort((a, b) => a.id.localeCompare(b.id))
      expect(byId(deprecated)).toEqual(byId(now))
      // XO sorts run logs by their start (getBackupNgLogsSorted).
      const starts = deprecated.map((l) => l['start'] as number)
      expect(starts).toEqual([...starts].sort((a, b) => a - b))

      const one = deprecated[0] as XoRecord
      const single = await get(`${old}/${one.id}`)
      expect(single.json).toEqual((await get(`${current}/${one.id}`)).json)
      expectFitsSpec(`${old}/{id}`, single.json)
    }
  })

  it('answers a log of the other kind with "no such object", an unknown one with a 500', async () => {
    const restore = all('restore-logs')[0] as XoRecord
    const wrong = await get(`/backup/logs/${restore.id}`)
    expect(wrong.status).toBe(404)
    expect(wrong.json).toEqual({ error: 'no such object backup-log', data: { id: 'backup-log' } })
    const unknown = await get('/restore/logs/42')
    expect(unknown.status).toBe(500)
  })
})

describe('backup archives (docs/xo-rest-api.md#quirks-of-0390)', () => {
  const repositories = () => all('backup-repositories')
  const onRepository = (id: string) =>
    all('backup-archives').filter((a) => a['backupRepository'] === id)

  it('lists nothing unless backup-repository selects repositories', async () => {
    expect((await get('/backup-archives')).json).toEqual([])
  })

  it('restricts the listing to the given repositories, and * means all of them', async () => {
    const [first, second] = repositories().filter((r) => r['enabled'] === true) as [
      XoRecord,
      XoRecord,
    ]
    const one = (
      await get(`/backup-archives?backup-repository=${first.id}&fields=backupRepository`)
    ).json as XoRecord[]
    expect(one.length).toBe(onRepository(first.id).length)
    expect(new Set(one.map((a) => a['backupRepository']))).toEqual(new Set([first.id]))

    const both = (
      await get(`/backup-archives?backup-repository=${first.id}&backup-repository=${second.id}`)
    ).json as string[]
    expect(both).toHaveLength(onRepository(first.id).length + onRepository(second.id).length)
    const star = (await get('/backup-archives?backup-repository=*&fields=*')).json as XoRecord[]
    expect(star).toHaveLength(both.length)
    expectFitsSpec('/backup-archives', star)
  })

  it('shows no archive of a disabled repository and 404s an unknown one as XO\'s "no such remote"', async () => {
    const disabled = repositories().find((r) => r['enabled'] === false) as XoRecord
    expect((await get(`/backup-archives?backup-repository=${disabled.id}`)).json).toEqual([])
    const unknown = await get('/backup-archives?backup-repository=nope')
    expect(unknown.status).toBe(404)
    expect(unknown.json).toEqual({
      error: 'no such remote nope',
      data: { id: 'nope', type: 'remote' },
    })
  })

  it('serves one archive by its URL-encoded id, which contains slashes', async () => {
    const archive = all('backup-archives')[0] as XoRecord
    expect(archive.id).toContain('/')
    const res = await get(archivePath(archive.id))
    expect(res.status).toBe(200)
    expect(res.json).toEqual(archive)
    expectFitsSpec('/backup-archives/{id}', res.json)
  })
})
