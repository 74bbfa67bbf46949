// Conformance with XO's published spec: every GET route answered on the default lab (real ids, with
// and without `fields=*`, and as NDJSON) and every action route (asynchronous and `?sync=true`),
// each response body validated against the spec's schema for that route with ajv.
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSpec } from '../../scripts/xo-spec'
import { OPERATIONS } from './generated/operations'
import type { OperationSpec } from './operation-spec'
import { startSimulator, type RunningSimulator } from './server'
import { createSpecValidator } from '../test-support/spec-validator'
import type { CollectionName, XoRecord } from './lab/types'
import { COLLECTIONS } from './lab/types'

const spec = loadSpec()
const validator = createSpecValidator(spec)
let sim: RunningSimulator

beforeAll(async () => {
  sim = await startSimulator({ life: false, actionDelayMs: 2, diskDataBytes: 4 * 1024 * 1024 })
})
afterAll(() => sim.close())

/**
 * XO registers its hidden `/backup/jobs/:id` redirect before these two deprecated lists, so they
 * answer 308 to `/backup/jobs/vm/<metadata|mirror>` instead of a list (dist/backup-jobs).
 */
const SHADOWED_BY_REDIRECT = new Set(['GET /backup/jobs/metadata', 'GET /backup/jobs/mirror'])

/**
 * Routes an XO without an XOA licence answers with 403 feature unauthorized (xo-common's
 * `featureUnauthorized`, docs/xo-rest-api.md#errors).
 */
const LICENCE_GATED = new Set([
  'GET /hosts/{id}/missing_patches',
  'GET /pools/{id}/missing_patches',
])

function records(collection: CollectionName): XoRecord[] {
  return [...sim.lab.store.list(collection)]
}

/** A real id for `/{collection}/{id}…`, in the state the route needs (stats need a running VM). */
function idFor(op: OperationSpec): string {
  const [, first = '', second = '', third = ''] = op.path.split('/')
  if (first === 'backup' || first === 'restore') {
    if (first === 'restore') return records('restore-logs')[0]?.id ?? ''
    if (second === 'logs') return records('backup-logs')[0]?.id ?? ''
    const type =
      { vm: 'backup', metadata: 'metadataBackup', mirror: 'mirrorBackup' }[third] ?? 'backup'
    return records('backup-jobs').find((j) => j['type'] === type)?.id ?? ''
  }
  const collection = first as CollectionName
  if (!COLLECTIONS.includes(collection)) throw new Error(`no collection for ${op.path}`)
  const all = records(collection)
  const running = all.find((r) => r['power_state'] === 'Running')
  if (running && /\/(stats|dashboard)$/.test(op.path)) return running.id
  if (collection === 'users') return sim.lab.adminUserId
  return (all.find((r) => r['power_state'] === 'Running') ?? all[0])?.id ?? ''
}

function concrete(op: OperationSpec): string {
  return op.path
    .replace('{id}', () => encodeURIComponent(idFor(op)))
    .replace('{format}', () => (op.path.startsWith('/vd') ? 'vhd' : 'xva'))
}

async function get(path: string, maxBytes = Infinity) {
  const res = await request(`${sim.url}${path}`, {
    headers: { cookie: `authenticationToken=${sim.token}` },
  })
  let text = ''
  let size = 0
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length
    if (size > maxBytes || maxBytes === 0) break
    if (maxBytes === Infinity) text += Buffer.from(chunk as Buffer).toString('utf8')
  }
  res.body.destroy()
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text }
}

function expectValid(op: OperationSpec, status: number, body: unknown): void {
  // For actions the spec puts CreateActionReturnType (a union of `{taskId}` and the sync result) on
  // only one of the two success statuses, so either one's schema judges both answers.
  const ref =
    validator.responseSchemaRef(op.method, op.path, status) ??
    (op.path.includes('/actions/')
      ? ([202, 201, 200]
          .map((s) => validator.responseSchemaRef(op.method, op.path, s))
          .find(Boolean) ??
        // backup-repositories forget documents only its 204, yet answers 202 `{taskId}` like every action
        (status === 202 ? '#/components/schemas/CreateActionReturnType_void_' : undefined))
      : undefined)
  expect(ref, `${op.method} ${op.path} documents no JSON body for ${status}`).toBeDefined()
  expect(
    validator.validateSchema(ref as string, body),
    `${op.method} ${op.path} → ${status}`,
  ).toEqual([])
}

const getOps = OPERATIONS.filter((op) => op.method === 'GET')
const streamed = (op: OperationSpec): boolean =>
  /\.\{format\}$|\/events$|audit\.txt$|logs\.tgz$/.test(op.path)

describe('every GET route answers as the spec says', () => {
  it('covers the 151 GET operations', () => expect(getOps).toHaveLength(151))

  for (const op of getOps) {
    it(`${op.method} ${op.path}`, async () => {
      const path = concrete(op)
      if (streamed(op)) {
        const res = await get(path, 0) // headers and a first chunk are enough: it is a stream
        expect(res.status).toBe(200)
        return
      }
      const res = await get(path)
      if (SHADOWED_BY_REDIRECT.has(`${op.method} ${op.path}`)) {
        expect(res.status).toBe(308)
        return
      }
      if (op.path === '/docs/swagger.json') {
        // The spec documents no body for its own description; it must at least be OpenAPI 3.
        expect(JSON.parse(res.text)).toMatchObject({ openapi: expect.stringMatching(/^3\./) })
        return
      }
      if (LICENCE_GATED.has(`${op.method} ${op.path}`)) {
        expect(res.status).toBe(403)
        expect(JSON.parse(res.text)).toMatchObject({ error: 'feature Unauthorized' })
        return
      }
      expect(res.status, res.text.slice(0, 300)).toBe(200)
      if (!res.type.startsWith('application/json')) return // /docs page
      expectValid(op, 200, JSON.parse(res.text))

      if (op.query.some((q) => q.name === 'fields')) {
        const full = await get(`${path}?fields=*`)
        expect(full.status).toBe(200)
        expectValid(op, 200, JSON.parse(full.text))
      }
      if (op.query.some((q) => q.name === 'ndjson')) {
        const lines = await get(
          `${path}?ndjson=true${op.query.some((q) => q.name === 'fields') ? '&fields=*' : ''}`,
        )
        expect(lines.status).toBe(200)
        expect(lines.type).toMatch(/application\/x-ndjson/)
        const values = lines.text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as unknown)
        // A collection's lines are its items: as an array they fit the collection's schema.
        if (op.query.some((q) => q.name === 'fields')) expectValid(op, 200, values)
      }
    })
  }
})

describe('the validator catches a response that does not fit the spec', () => {
  it("rejects a VM whose power_state is not one of XO's", async () => {
    const op = getOps.find((o) => o.path === '/vms/{id}') as OperationSpec
    const vm = JSON.parse((await get(concrete(op))).text) as Record<string, unknown>
    const ref = validator.responseSchemaRef('GET', '/vms/{id}', 200) as string
    expect(validator.validateSchema(ref, vm)).toEqual([])
    expect(validator.validateSchema(ref, { ...vm, power_state: 'Sleeping' }).join('\n')).toMatch(
      /power_state/,
    )
    const { name_label: _dropped, ...missing } = vm
    expect(validator.validateSchema(ref, missing).join('\n')).toMatch(/name_label/)
  })
})

/** A record of `collection` fit for the action (state), the n-th one so each call gets its own. */
function actionTarget(op: OperationSpec, n: number): XoRecord | undefined {
  const collection = op.path.split('/')[1] as CollectionName
  const action = op.path.split('/').at(-1) ?? ''
  const needs: Record<string, string> = {
    start: 'Halted',
    clean_shutdown: 'Running',
    hard_shutdown: 'Running',
    clean_reboot: 'Running',
    hard_reboot: 'Running',
    pause: 'Running',
    suspend: 'Running',
    snapshot: 'Running',
    unpause: 'Paused',
    resume: 'Suspended',
  }
  const all = records(collection)
  if (action === 'revert_snapshot') {
    const withSnapshots = all.filter((vm) => ((vm['snapshots'] as string[]) ?? []).length > 0)
    return withSnapshots[n] ?? withSnapshots[0]
  }
  if (collection === 'backup-repositories' && action === 'forget') {
    const jobs = JSON.stringify(records('backup-jobs'))
    const unused = all.filter((r) => !jobs.includes(r.id))
    return unused[n] ?? unused[0] ?? all[n]
  }
  const state = collection === 'vms' ? needs[action] : undefined
  const fit = state ? all.filter((r) => r['power_state'] === state) : all
  if (collection === 'tasks') return all.find((t) => t['status'] === 'pending') ?? all[0]
  return fit[n] ?? fit[0]
}

/** A valid body for actions that need one (their request bodies in XO's spec). */
function bodyFor(op: OperationSpec, target: XoRecord): unknown {
  const first = <C extends CollectionName>(c: C, test: (r: XoRecord) => boolean = () => true) =>
    records(c).find(test)?.id
  switch (op.path) {
    case '/vms/{id}/actions/revert_snapshot':
      return { snapshotId: first('vm-snapshots', (s) => s['$snapshot_of'] === target.id) }
    case '/vms/{id}/actions/migrate':
      return {
        hostId: first(
          'hosts',
          (h) => h['$pool'] === target['$pool'] && h['power_state'] === 'Running',
        ),
      }
    case '/pools/{id}/actions/create_vm':
      return {
        template: first('vm-templates', (t) => t['$pool'] === target.id),
        name_label: 'conformance-vm',
      }
    case '/pools/{id}/actions/create_network':
      return {
        name: 'conformance-net',
        pif: first('pifs', (p) => p['$pool'] === target.id),
        vlan: 42,
      }
    case '/pools/{id}/actions/create_bonded_network':
      return {
        name: 'bond',
        pifIds: records('pifs')
          .filter((p) => p['$pool'] === target.id)
          .slice(0, 2)
          .map((p) => p.id),
        bondMode: 'active-backup',
      }
    case '/pools/{id}/actions/create_internal_network':
      return { name: 'internal' }
    case '/pools/{id}/actions/management_reconfigure':
      return { network: first('networks', (n) => n['$pool'] === target.id) }
    case '/pools/{id}/actions/add_host':
      return { host: first('hosts', (h) => h['$pool'] !== target.id) }
    case '/hosts/{id}/actions/management_reconfigure':
      return { pif: first('pifs', (p) => p['$host'] === target.id) }
    case '/vdis/{id}/actions/migrate':
      return { srId: first('srs', (s) => s.id !== target['$SR'] && s['content_type'] !== 'iso') }
    default:
      return op.body?.required ? {} : undefined
  }
}

async function post(path: string, body: unknown) {
  const res = await request(`${sim.url}${path}`, {
    method: 'POST',
    headers: {
      cookie: `authenticationToken=${sim.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.body.text()
  return {
    status: res.statusCode,
    headers: res.headers,
    json: text === '' ? undefined : (JSON.parse(text) as unknown),
  }
}

describe('every action route answers asynchronously and with ?sync=true', () => {
  const actions = OPERATIONS.filter((op) => op.method === 'POST' && op.path.includes('/actions/'))
  it('covers the 51 action operations', () => expect(actions).toHaveLength(51))

  for (const op of actions) {
    it(`${op.path}`, async () => {
      const asyncTarget = actionTarget(op, 0) as XoRecord
      const async = await post(
        op.path.replace('{id}', encodeURIComponent(asyncTarget.id)),
        bodyFor(op, asyncTarget),
      )
      expect(async.status, JSON.stringify(async.json)).toBe(202)
      expectValid(op, 202, async.json)
      const taskId = (async.json as { taskId: string }).taskId
      expect(async.headers['location']).toBe(`/rest/v0/tasks/${taskId}`)
      await get(`/tasks/${taskId}?wait=true`)

      const syncTarget = actionTarget(op, 1) as XoRecord
      const sync = await post(
        `${op.path.replace('{id}', encodeURIComponent(syncTarget.id))}?sync=true`,
        bodyFor(op, syncTarget),
      )
      expect(op.responses, `${sync.status} ${JSON.stringify(sync.json)}`).toContain(sync.status)
      if (sync.status >= 400) {
        expect(sync.json).toMatchObject({ error: expect.anything() })
      } else if (sync.json !== undefined) {
        expectValid(op, sync.status, sync.json)
      }
    })
  }
})
