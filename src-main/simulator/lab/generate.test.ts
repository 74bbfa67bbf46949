import { describe, expect, it } from 'vitest'
import { loadSpec } from '../../../scripts/xo-spec'
import { createSpecValidator } from '../../test-support/spec-validator'
import { DEFAULT_NOW } from './common'
import { checkLabConsistency } from './consistency'
import { generateLab } from './generate'
import { COLLECTIONS, type XoRecord } from './types'

const spec = loadSpec()
const validator = createSpecValidator(spec)
const lab = generateLab({ seed: 'xo-desk' })
const c = lab.collections
/** Hosts running more RAM than they have, SRs holding more bytes than their size. */
function overCapacity(collections: typeof c): string[] {
  const hosts = collections.hosts.filter((host) => {
    const memory = host.memory as { size: number; usage: number }
    return memory.usage > memory.size
  })
  const srs = collections.srs.filter((sr) => (sr.physical_usage as number) > (sr.size as number))
  return [...hosts, ...srs].map((record) => `${String(record.type)} ${String(record.name_label)}`)
}

const byId = (records: readonly XoRecord[], id: unknown): XoRecord | undefined =>
  records.find((record) => record.id === id)

describe('the spec validator', () => {
  it('finds the GET /<collection>/{id} schema of every lab collection', () => {
    for (const name of COLLECTIONS) {
      expect(validator.responseSchemaRef('get', `/${name}/{id}`, 200), name).toMatch(/^#\//)
    }
  })

  it('reports missing fields, wrong enums and wrong types', () => {
    const vm = c.vms[0] as XoRecord
    const errors = validator.validateSchema('Unbrand_XoVm_', {
      ...vm,
      name_label: undefined,
      power_state: 'Sleeping',
      CPUs: { max: '2' },
    })
    expect(errors).toEqual(
      expect.arrayContaining([
        "(root) must have required property 'name_label'",
        expect.stringMatching(/^\/power_state must be equal to one of the allowed values/),
        "/CPUs must have required property 'number'",
        '/CPUs/max must be number',
      ]),
    )
  })

  it('accepts null where the spec says nullable, and branded ids as plain strings', () => {
    const vbd = c.vbds.find((r) => r.is_cd_drive === true) as XoRecord
    expect(validator.validateSchema('Unbrand_XoVbd_', { ...vbd, device: null })).toEqual([])
    expect(validator.validateSchema('Unbrand_XoVbd_', { ...vbd, device: 3 })).not.toEqual([])
    // XoTask.id is tsoa's `Branded<'task'>`: an unsatisfiable allOf in the raw spec.
    const log = c['backup-logs'][0] as XoRecord
    expect(validator.validateSchema('Unbrand_XoBackupLog_', log)).toEqual([])
  })

  it('points inline response schemas at their place in the spec', () => {
    expect(validator.responseSchemaRef('get', '/ping', 200)).toBe(
      '#/components/schemas/PingResponse',
    )
    const ref = validator.responseSchemaRef('GET', '/hosts/{id}/smt', 200)
    expect(ref).toBe(
      '#/paths/~1hosts~1{id}~1smt/get/responses/200/content/application~1json/schema',
    )
    expect(validator.validateSchema(ref as string, { enabled: true })).toEqual([])
    expect(validator.validateSchema(ref as string, {})).toEqual([
      "(root) must have required property 'enabled'",
    ])
    expect(validator.responseSchemaRef('get', '/no-such-route', 200)).toBeUndefined()
  })
})

describe('generateLab', () => {
  it('gives every record of every collection the shape the spec documents for GET /<collection>/{id}', () => {
    const problems: string[] = []
    for (const name of COLLECTIONS) {
      const ref = validator.responseSchemaRef('get', `/${name}/{id}`, 200) as string
      for (const record of c[name]) {
        for (const error of validator.validateSchema(ref, record))
          problems.push(`${name}/${record.id} ${error}`)
      }
    }
    expect(problems).toEqual([])
  })

  it('fills every collection', () => {
    for (const name of COLLECTIONS) expect(c[name].length, name).toBeGreaterThan(0)
  })

  it('gives the same lab for the same seed, byte for byte', () => {
    expect(JSON.stringify(generateLab({ seed: 'xo-desk' }))).toBe(JSON.stringify(lab))
    const at = { seed: 'other', vms: 40, now: Date.UTC(2027, 0, 15) }
    expect(JSON.stringify(generateLab(at))).toBe(JSON.stringify(generateLab(at)))
  })

  it('gives a different lab for another seed', () => {
    const other = generateLab({ seed: 'another seed' })
    expect(other.collections.vms[0]?.id).not.toBe(c.vms[0]?.id)
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(lab))
  })

  it('keeps every reference pointing at an existing record of the right collection, linked both ways', () => {
    expect(checkLabConsistency(c)).toEqual([])
  })

  it('looks like a small company: 2–3 pools, ~8 hosts, ~150 VMs in all four power states, about half running', () => {
    expect(c.pools.length).toBeGreaterThanOrEqual(2)
    expect(c.pools.length).toBeLessThanOrEqual(3)
    expect(c.hosts).toHaveLength(8)
    expect(c.vms).toHaveLength(150)
    const states = new Set(c.vms.map((vm) => vm.power_state))
    expect([...states].sort()).toEqual(['Halted', 'Paused', 'Running', 'Suspended'])
    const running = c.vms.filter((vm) => vm.power_state === 'Running').length
    expect(running / c.vms.length).toBeGreaterThan(0.4)
    expect(running / c.vms.length).toBeLessThan(0.75)
  })

  it('builds 10,000 VMs when asked, still consistent and within capacity', () => {
    const big = generateLab({ seed: 'xo-desk', vms: 10_000 })
    expect(big.collections.vms).toHaveLength(10_000)
    expect(checkLabConsistency(big.collections)).toEqual([])
    expect(overCapacity(big.collections)).toEqual([])
  })

  it('never gives a host more memory or an SR more data than it has', () => {
    expect(overCapacity(c)).toEqual([])
  })

  it('handles labs too small for every power state', () => {
    for (const vms of [0, 1, 3]) {
      const small = generateLab({ seed: 'xo-desk', vms })
      expect(small.collections.vms).toHaveLength(vms)
      expect(checkLabConsistency(small.collections)).toEqual([])
    }
  })

  it('gives every host its control domain, storage and exactly one management PIF', () => {
    for (const host of c.hosts) {
      const dom0 = byId(c['vm-controllers'], host.controlDomain)
      expect(dom0).toMatchObject({
        $container: host.id,
        power_state: 'Running',
        virtualizationMode: 'pv',
      })
      const pifs = c.pifs.filter((pif) => pif.$host === host.id)
      expect(pifs.filter((pif) => pif.management === true)).toHaveLength(1)
      const local = c.srs.filter((sr) => sr.$container === host.id).map((sr) => sr.SR_type)
      expect(local.sort()).toEqual(['ext', 'udev', 'udev'])
    }
    const types = new Set(c.srs.map((sr) => sr.SR_type))
    for (const type of ['ext', 'nfs', 'lvmoiscsi', 'iso', 'udev']) expect(types).toContain(type)
  })

  it('puts running, paused and suspended VMs on a host and halted ones on their pool', () => {
    for (const vm of c.vms) {
      const host = byId(c.hosts, vm.$container)
      if (vm.power_state === 'Halted') expect(vm.$container).toBe(vm.$pool)
      else expect(host?.residentVms).toContain(vm.id)
    }
  })

  it('reports guest tools only on running VMs: addresses, main IP and OS version', () => {
    const withTools = c.vms.filter((vm) => vm.pvDriversDetected === true)
    expect(withTools.length).toBeGreaterThan(30)
    for (const vm of withTools) {
      expect(['Running', 'Paused']).toContain(vm.power_state)
      expect(vm.mainIpAddress).toBe((vm.addresses as Record<string, string>)['0/ipv4/0'])
      expect(vm.os_version).toMatchObject({ distro: expect.any(String) })
    }
    for (const vm of c.vms.filter((r) => r.power_state === 'Halted')) {
      expect(vm).toMatchObject({ addresses: {}, os_version: null, startTime: null })
      expect(vm).not.toHaveProperty('mainIpAddress')
    }
  })

  it('scopes default template ids by pool, custom templates keep their uuid', () => {
    const defaults = c['vm-templates'].filter((t) => t.isDefaultTemplate === true)
    expect(defaults.length).toBeGreaterThanOrEqual(10 * c.pools.length)
    for (const template of defaults)
      expect(template.id).toBe(`${String(template.$pool)}-${String(template.uuid)}`)
    const custom = c['vm-templates'].filter((t) => t.isDefaultTemplate === false)
    expect(custom.length).toBeGreaterThan(0)
    for (const template of custom) expect(template.id).toBe(template.uuid)
  })

  it('leaves an empty CD drive without any VDI field', () => {
    const empty = c.vbds.filter((vbd) => vbd.is_cd_drive === true && !('VDI' in vbd))
    expect(empty.length).toBeGreaterThan(100)
    expect(c.vbds.some((vbd) => vbd.is_cd_drive === true && typeof vbd.VDI === 'string')).toBe(true)
  })

  it('times XAPI events in seconds and XO events in milliseconds, before now', () => {
    const nowS = DEFAULT_NOW / 1000
    const seconds = [
      ...c.vms.map((vm) => vm.startTime).filter((t) => t !== null),
      ...c.hosts.map((host) => host.startTime),
      ...c.messages.map((m) => m.time),
      ...c['vm-snapshots'].map((s) => s.snapshot_time),
    ] as number[]
    for (const t of seconds) expect(t).toBeGreaterThan(nowS - 5 * 365 * 86_400)
    for (const t of seconds) expect(t).toBeLessThanOrEqual(nowS)
    const millis = [
      ...c.tasks.flatMap((t) => [t.start, t.end, t.updatedAt]),
      ...c['backup-logs'].map((log) => log.start),
      ...c.alarms.map((alarm) => alarm.time),
    ] as number[]
    for (const t of millis) expect(t).toBeGreaterThan(DEFAULT_NOW - 60 * 86_400_000)
    for (const t of millis) expect(t).toBeLessThanOrEqual(DEFAULT_NOW)
  })

  it('uses XO id formats: base-36 tasks, ms backup logs, slashes in backup archives', () => {
    for (const task of c.tasks)
      expect(task.id).toBe((task.start as number).toString(36).padStart(9, '0'))
    for (const log of [...c['backup-logs'], ...c['restore-logs']])
      expect(log.id).toBe(String(log.start))
    for (const archive of c['backup-archives'])
      expect(archive.id).toMatch(
        /^[0-9a-f-]{36}\/xo-vm-backups\/[0-9a-f-]{36}\/\d{8}T\d{6}Z\.json$/,
      )
  })

  it('keeps only finished tasks, failures carrying the XAPI error', () => {
    expect(new Set(c.tasks.map((t) => t.status))).toEqual(new Set(['success', 'failure']))
    for (const task of c.tasks.filter((t) => t.status === 'failure')) {
      expect(task.result).toMatchObject({
        name: 'XapiError',
        code: expect.any(String),
        params: expect.any(Array),
      })
      expect((task.result as { message: string }).message).toMatch(/^[A-Z_0-9]+\(/)
    }
  })

  it('signs in the admin and the operator, whose user records exist and show no password', () => {
    expect(lab.accounts.map(({ name, permission }) => [name, permission])).toEqual([
      ['admin@admin.net', 'admin'],
      ['operator@lab.local', 'none'],
    ])
    for (const account of lab.accounts) {
      expect(byId(c.users, account.userId)).toMatchObject({
        name: account.name,
        permission: account.permission,
      })
    }
    for (const user of c.users) expect(user.pw_hash ?? '***obfuscated***').toBe('***obfuscated***')
    for (const server of c.servers) {
      expect(server).not.toHaveProperty('password')
      expect(server.status).toBe('connected')
    }
    expect(c.servers).toHaveLength(c.pools.length)
  })

  it('lets the operator read and start the VMs tagged staging, and staging VMs exist', () => {
    const operator = lab.accounts.find((a) => a.permission === 'none')
    const roles = c['acl-roles'].filter((role) =>
      (role.userIds as string[] | undefined)?.includes(operator?.userId ?? ''),
    )
    const privileges = c['acl-privileges'].filter((p) => roles.some((role) => role.id === p.roleId))
    for (const action of ['read', 'start']) {
      expect(privileges).toContainEqual(
        expect.objectContaining({
          resource: 'vm',
          action,
          effect: 'allow',
          selector: 'tags:staging',
        }),
      )
    }
    expect(c.vms.filter((vm) => (vm.tags as string[]).includes('staging')).length).toBeGreaterThan(
      10,
    )
  })
})

describe('checkLabConsistency', () => {
  it('reports a link that only one side knows', () => {
    const vm = c.vms[0] as XoRecord
    const broken = {
      ...c,
      vms: [{ ...vm, $VBDs: (vm.$VBDs as string[]).slice(1) }, ...c.vms.slice(1)],
    }
    expect(checkLabConsistency(broken)).toEqual([expect.stringContaining(`${vm.id}.$VBDs lacks`)])
  })

  it('reports a reference to nothing', () => {
    const vif = c.vifs[0] as XoRecord
    const broken = { ...c, vifs: [{ ...vif, $network: 'nope' }, ...c.vifs.slice(1)] }
    expect(checkLabConsistency(broken)).toContainEqual(expect.stringContaining('$network → nope'))
  })
})
