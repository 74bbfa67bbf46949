// Stats, dashboards, host checks and downloads as an XO client sees them (docs/xo-rest-api.md).
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSpec } from '../../../scripts/xo-spec'
import type { CollectionName, XoRecord } from '../lab/types'
import { startSimulator, type RunningSimulator } from '../server'
import { createSpecValidator } from '../../test-support/spec-validator'
import { call } from '../../test-support/simulator-call'

const validator = createSpecValidator(loadSpec())
let sim: RunningSimulator
const get = (path: string, headers: Record<string, string> = {}) =>
  call(sim.url, 'GET', path, { token: sim.token, headers })

beforeAll(async () => {
  sim = await startSimulator({ seed: 'test', actionDelayMs: 10, life: false })
})
afterAll(() => sim.close())

const all = (collection: CollectionName): XoRecord[] => [...sim.lab.store.list(collection)]
const first = (collection: CollectionName, test: (r: XoRecord) => boolean): XoRecord => {
  const found = all(collection).find(test)
  if (!found) throw new Error(`the lab has no fitting ${collection}`)
  return found
}

/** The body fits the spec's 200 schema for that route. */
function expectFitsSpec(method: string, path: string, body: unknown): void {
  const ref = validator.responseSchemaRef(method, path, 200)
  expect(ref, `${path} has a JSON schema`).toBeDefined()
  expect(validator.validateSchema(ref as string, body)).toEqual([])
}

/** Runs `fn` with one record temporarily changed, restoring it afterwards. */
async function withChange(
  collection: CollectionName,
  id: string,
  change: Record<string, unknown>,
  fn: () => Promise<void>,
) {
  const before = sim.lab.store.get(collection, id) as XoRecord
  sim.lab.store.update(collection, id, change)
  try {
    await fn()
  } finally {
    sim.lab.store.update(collection, id, before)
  }
}

type Stats = { endTimestamp: number; interval: number; stats: Record<string, unknown> }
type Series = number[]

describe('VM stats (GET /vms/{id}/stats)', () => {
  it('gives a running VM ~120 points per series, in XO units, ending now in seconds', async () => {
    const vm = first(
      'vms',
      (v) => v['power_state'] === 'Running' && v['managementAgentDetected'] === true,
    )
    const res = await get(`/vms/${vm.id}/stats?granularity=minutes`)
    expect(res.status).toBe(200)
    expectFitsSpec('get', '/vms/{id}/stats', res.json)
    const { endTimestamp, interval, stats } = res.json as Stats
    expect(interval).toBe(60)
    expect(endTimestamp % 60).toBe(0)
    expect(Math.abs(endTimestamp - Date.now() / 1000)).toBeLessThan(120)

    const cpus = stats['cpus'] as Record<string, Series>
    expect(Object.keys(cpus)).toHaveLength((vm['CPUs'] as { number: number }).number)
    for (const series of Object.values(cpus)) {
      expect(series).toHaveLength(119)
      // xapi-stats.mjs multiplies the RRD's CPU fraction by 100: XO serves percent of a vCPU.
      for (const v of series) expect(v).toBeGreaterThanOrEqual(0)
      for (const v of series) expect(v).toBeLessThanOrEqual(100)
    }
    const size = (vm['memory'] as { size: number }).size
    for (const v of stats['memory'] as Series) expect(Math.abs(v - size) / size).toBeLessThan(1e-4)
    for (const v of stats['memoryFree'] as Series) expect(v).toBeLessThanOrEqual(size)

    const vifDevices = (vm['VIFs'] as string[]).map(
      (id) => sim.lab.store.get('vifs', id)?.['device'],
    )
    expect(Object.keys((stats['vifs'] as { rx: object }).rx).sort()).toEqual(vifDevices.sort())
    const letters = Object.keys((stats['xvds'] as { r: object }).r)
    expect(letters.length).toBeGreaterThan(0)
    expect(Object.keys((stats['iops'] as { w: object }).w)).toEqual(letters)
  })

  it('answers the same samples for the same moment, derived from the VM and the time', async () => {
    const vm = first('vms', (v) => v['power_state'] === 'Running')
    const a = (await get(`/vms/${vm.id}/stats?granularity=days`)).json as Stats
    const b = (await get(`/vms/${vm.id}/stats?granularity=days`)).json as Stats
    expect(a.endTimestamp).toBe(b.endTimestamp)
    expect(a.stats['cpus']).toEqual(b.stats['cpus'])
  })

  it('refuses a halted VM with XO\'s 422 "is halted or host could not be found"', async () => {
    const vm = first('vms', (v) => v['power_state'] === 'Halted')
    const res = await get(`/vms/${vm.id}/stats`)
    expect(res.status).toBe(422)
    expect(res.json).toMatchObject({
      error: `VM ${vm.id} is halted or host could not be found.`,
      data: { errors: { code: 25, data: { property: 'resident_on' } } },
    })
  })

  it('uses the RRD step the granularity names: 5 s by default, 60 s, 1 h, 1 day', async () => {
    const vm = first('vms', (v) => v['power_state'] === 'Running')
    const interval = async (q: string) =>
      ((await get(`/vms/${vm.id}/stats${q}`)).json as Stats).interval
    expect(await interval('')).toBe(5)
    expect(await interval('?granularity=seconds')).toBe(5)
    expect(await interval('?granularity=minutes')).toBe(60)
    expect(await interval('?granularity=hours')).toBe(3600)
    expect(await interval('?granularity=days')).toBe(86400)
    expect((await get(`/vms/${vm.id}/stats?granularity=weeks`)).status).toBe(422)
  })

  it('records a data source on a running VM (204, its series appears) and refuses a halted one', async () => {
    const vm = first('vms', (v) => v['power_state'] === 'Running')
    const put = await call(sim.url, 'PUT', `/vms/${vm.id}/stats/data_source/cpu_usage`, {
      token: sim.token,
    })
    expect(put.status).toBe(204)
    expect(((await get(`/vms/${vm.id}/stats`)).json as Stats).stats['cpuUsage']).toHaveLength(119)
    const del = await call(sim.url, 'DELETE', `/vms/${vm.id}/stats/data_source/cpu_usage`, {
      token: sim.token,
    })
    expect(del.status).toBe(204)
    expect(((await get(`/vms/${vm.id}/stats`)).json as Stats).stats['cpuUsage']).toBeUndefined()

    const halted = first('vms', (v) => v['power_state'] === 'Halted')
    const refused = await call(sim.url, 'PUT', `/vms/${halted.id}/stats/data_source/cpu0`, {
      token: sim.token,
    })
    // XAPI allows data_source_op on running VMs only; XO passes its error on (spec: 500).
    expect(refused.status).toBe(500)
    expect(refused.json).toMatchObject({
      error: `VM_BAD_POWER_STATE(${String(halted['_xapiRef'])}, running, halted)`,
      info: 'This is a XenServer/XCP-ng error, not an XO error',
    })
  })
})

describe('host and pool stats', () => {
  it('gives a host one series per logical CPU, its load, memory in bytes and NICs by number', async () => {
    const host = first('hosts', (h) => h['power_state'] === 'Running')
    const res = await get(`/hosts/${host.id}/stats`)
    expect(res.status).toBe(200)
    expectFitsSpec('get', '/hosts/{id}/stats', res.json)
    const { stats } = res.json as Stats
    expect(Object.keys(stats['cpus'] as object)).toHaveLength(
      Number((host['CPUs'] as { cpu_count: string }).cpu_count),
    )
    expect(stats['load']).toHaveLength(119)
    const { size, usage } = host['memory'] as { size: number; usage: number }
    expect(Math.abs((stats['memory'] as Series)[0]! - size) / size).toBeLessThan(1e-4)
    for (const free of stats['memoryFree'] as Series)
      expect(free).toBeLessThanOrEqual(Math.max(0, size - usage) * 1.01)
    expect(Object.keys((stats['pifs'] as { rx: object }).rx)).toContain('0')
    for (const key of Object.keys((stats['iops'] as { r: object }).r))
      expect(key).toMatch(/^[0-9a-f-]{8}$/)
  })

  it("answers a pool with one entry per host, and XAPI's error for a halted host", async () => {
    const pool = all('pools')[0] as XoRecord
    const hosts = all('hosts').filter((h) => h['$pool'] === pool.id)
    const halted = hosts[hosts.length - 1] as XoRecord
    await withChange('hosts', halted.id, { power_state: 'Halted' }, async () => {
      const res = await get(`/pools/${pool.id}/stats?granularity=minutes`)
      expect(res.status).toBe(200)
      expectFitsSpec('get', '/pools/{id}/stats', res.json)
      const byHost = res.json as Record<string, Stats | { error: { code: string } }>
      expect(Object.keys(byHost).sort()).toEqual(hosts.map((h) => h.id).sort())
      expect(byHost[halted.id]).toMatchObject({
        error: { code: 'HOST_OFFLINE', params: [halted['_xapiRef']] },
      })
      expect((byHost[hosts[0]!.id] as Stats).interval).toBe(60)

      const direct = await get(`/hosts/${halted.id}/stats`)
      expect(direct.status).toBe(500)
      expect(direct.json).toMatchObject({ error: `HOST_OFFLINE(${String(halted['_xapiRef'])})` })
    })
  })
})

describe('dashboards (GET /dashboard, /pools/{id}/dashboard, /vms/{id}/dashboard)', () => {
  it('counts VMs by power state exactly as GET /vms?fields=power_state lists them', async () => {
    const res = await get('/dashboard')
    expect(res.status).toBe(200)
    expectFitsSpec('get', '/dashboard', res.json)
    const listed = (await get('/vms?fields=power_state')).json as { power_state: string }[]
    const count = (state: string) => listed.filter((v) => v.power_state === state).length
    const d = res.json as Record<string, Record<string, number>>
    expect(d['vmsStatus']).toEqual({
      active: count('Running') + count('Paused'),
      inactive: count('Halted') + count('Suspended'),
      running: count('Running'),
      halted: count('Halted'),
      paused: count('Paused'),
      suspended: count('Suspended'),
      unknown: 0,
      total: listed.length,
    })
    expect(d['nPools']).toBe(all('pools').length)
    expect(d['nHosts']).toBe(all('hosts').length)
    expect(d['hostsStatus']?.['total']).toBe(all('hosts').length)
    // No XOA licence in the lab: XO reports the patch section as unauthorized instead of failing.
    expect(d['missingPatches']).toEqual({ hasAuthorization: false })
  })

  it('streams one NDJSON line per section with ?ndjson=true', async () => {
    const res = await get('/dashboard?ndjson=true')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/x-ndjson')
    expect(res.headers['content-length']).toBeUndefined()
    const lines = res.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    for (const line of lines) expect(Object.keys(line)).toHaveLength(1)
    const keys = lines.map((l) => Object.keys(l)[0])
    expect([...keys].sort()).toEqual(Object.keys((await get('/dashboard')).json as object).sort())
    // Sections XO has at once come first, in its order; the awaited ones follow.
    expect(keys.slice(0, 3)).toEqual(['nPools', 'nHosts', 'hostsStatus'])
    expect(lines[0]).toEqual({ nPools: all('pools').length })
  })

  it('summarises a pool: its hosts and VMs, top usages, CPU provisioning; nested NDJSON paths', async () => {
    const pool = all('pools')[0] as XoRecord
    const res = await get(`/pools/${pool.id}/dashboard`)
    expect(res.status).toBe(200)
    expectFitsSpec('get', '/pools/{id}/dashboard', res.json)
    const d = res.json as {
      vms: { status: { total: number } }
      hosts: { missingPatches: unknown }
      cpuProvisioning: { total: number }
    }
    expect(d.vms.status.total).toBe(all('vms').filter((v) => v['$pool'] === pool.id).length)
    expect(d.hosts.missingPatches).toEqual({ hasAuthorization: false })
    expect(d.cpuProvisioning.total).toBe((pool['cpus'] as { cores: number }).cores)

    const lines = (await get(`/pools/${pool.id}/dashboard?ndjson=true`)).text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown)
    expect(lines[0]).toEqual({
      hosts: { status: (res.json as { hosts: { status: unknown } }).hosts.status },
    })
    expect(lines).toContainEqual({ hosts: { missingPatches: { hasAuthorization: false } } })
    expect(lines).toHaveLength(9)
  })

  it('summarises a backed-up VM: quick info, last runs, protection and archives', async () => {
    const archive = all('backup-archives')[0] as XoRecord
    const vmId = (archive['vm'] as { uuid: string }).uuid
    const res = await get(`/vms/${vmId}/dashboard`)
    expect(res.status).toBe(200)
    expectFitsSpec('get', '/vms/{id}/dashboard', res.json)
    const d = res.json as {
      quickInfo: { id: string }
      backupsInfo: { lastRuns: unknown[]; vmProtection: string; backupArchives: { id: string }[] }
    }
    expect(d.quickInfo.id).toBe(vmId)
    expect(d.backupsInfo.lastRuns.length).toBeGreaterThan(0)
    expect(['protected', 'unprotected']).toContain(d.backupsInfo.vmProtection)
    expect(d.backupsInfo.backupArchives.length).toBeGreaterThan(0)

    const keys = (await get(`/vms/${vmId}/dashboard?ndjson=TRUE`)).text
      .trimEnd()
      .split('\n')
      .map((l) => Object.keys(JSON.parse(l) as object)[0])
    expect(keys).toEqual(['quickInfo', 'alarms', 'backupsInfo', 'backupsInfo', 'backupsInfo'])
  })
})

describe('host checks and downloads (docs/xo-rest-api.md#exports-and-imports)', () => {
  const host = () => first('hosts', (h) => h['power_state'] === 'Running')

  it('answers missing patches as an XOA without licence does: 403 feature Unauthorized', async () => {
    for (const path of [
      `/hosts/${host().id}/missing_patches`,
      `/pools/${all('pools')[0]?.id}/missing_patches`,
    ]) {
      const res = await get(path)
      expect(res.status).toBe(403)
      expect(res.json).toEqual({
        error: 'feature Unauthorized',
        data: { featureCode: 'LIST_MISSING_PATCHES', currentPlan: 1, minPlan: 2 },
      })
    }
  })

  it('tells whether SMT is enabled', async () => {
    const res = await get(`/hosts/${host().id}/smt`)
    expect(res.status).toBe(200)
    expectFitsSpec('get', '/hosts/{id}/smt', res.json)
    expect(res.json).toEqual({
      enabled: Number((host()['CPUs'] as { threads_per_core: string }).threads_per_core) > 1,
    })
  })

  it('downloads the audit log as an attachment, gzip-encoded when the client accepts gzip', async () => {
    const plain = await get(`/hosts/${host().id}/audit.txt`)
    expect(plain.status).toBe(200)
    expect(plain.headers['content-type']).toBe('application/octet-stream')
    expect(plain.headers['content-disposition']).toMatch(
      /^attachment; filename=".+-\d{4}-\d\d-\d\dT[\d:.]+Z-audit\.txt"$/,
    )
    expect(plain.headers['content-length']).toBeUndefined()
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.text).toMatch(/\|audit\|/)

    const res = await request(`${sim.url}/hosts/${host().id}/audit.txt`, {
      headers: {
        cookie: `authenticationToken=${sim.token}`,
        'accept-encoding': 'br;q=1, x-gzip;q=0.5',
      },
    })
    expect(res.headers['content-encoding']).toBe('gzip')
    const unzipped = gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString('utf8')
    expect(unzipped.split('\n')[0]).toMatch(/\|audit\|/)
  })

  it('downloads the host logs as a gzipped tar that tar -tzf lists', async () => {
    const res = await request(`${sim.url}/hosts/${host().id}/logs.tgz`, {
      headers: { cookie: `authenticationToken=${sim.token}` },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/gzip')
    expect(res.headers['content-disposition']).toBeUndefined()
    const dir = await mkdtemp(join(tmpdir(), 'xo-logs-'))
    try {
      const file = join(dir, 'logs.tgz')
      await writeFile(file, Buffer.from(await res.body.arrayBuffer()))
      const { stdout } = await promisify(execFile)('tar', ['-tzf', file])
      expect(stdout.split('\n')).toContain('var/log/xensource.log')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('cannot download from a halted host', async () => {
    const h = host()
    await withChange('hosts', h.id, { power_state: 'Halted' }, async () => {
      for (const file of ['logs.tgz', 'audit.txt']) {
        const res = await get(`/hosts/${h.id}/${file}`)
        expect(res.status).toBe(500)
        expect(res.json).toEqual({ error: `connect EHOSTUNREACH ${String(h['address'])}:443` })
      }
    })
  })

  it('reports a backup repository healthy, unless it is disabled', async () => {
    const enabled = first('backup-repositories', (r) => r['enabled'] === true)
    const res = await get(`/backup-repositories/${enabled.id}/health`)
    expect(res.status).toBe(200)
    expectFitsSpec('get', '/backup-repositories/{id}/health', res.json)
    const disabled = first('backup-repositories', (r) => r['enabled'] === false)
    const failed = await get(`/backup-repositories/${disabled.id}/health`)
    expect(failed.status).toBe(500)
    expect(failed.json).toEqual({ error: 'remote is disabled' })
  })
})
