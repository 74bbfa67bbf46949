/**
 * The three dashboards (`GET /dashboard`, `GET /pools/{id}/dashboard`, `GET /vms/{id}/dashboard`):
 * XOA-wide, per pool and per VM, computed from the live store the way xoa.service, pool.service
 * and vm.service do (@xen-orchestra/rest-api 0.39.0, dist/xoa/, dist/pools/, dist/vms/). With
 * `?ndjson=true` each section is one line, nested by its dotted path (`{"hosts":{"status":{…}}}`),
 * in the order XO writes them: synchronous sections first, then the ones XO awaits.
 */
import { Readable } from 'node:stream'
import { targetRecord, type Reply, type RequestContext } from '../http/context'
import type { XoRecord } from '../lab/types'
import type { Simulation } from '../simulation'
import {
  backupRepositoriesInfo,
  backupsInfo,
  isReplicaVm,
  lastArchives,
  lastReplication,
  vmBackups,
} from './backup-insight'
import { hostStats, vmStats } from './stats'
import type { HandlerTable } from './table'

interface Section {
  path: string
  value: unknown
}

/** No XOA licence in the lab: XO turns featureUnauthorized into this (xoa/pool services). */
const NO_PATCH_AUTHORIZATION = { hasAuthorization: false } as const

function nest(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>
}

/** tsoa parses `ndjson` as a boolean here, so any case of "true" streams (unlike collections). */
function dashboardReply(ctx: RequestContext, sections: Section[], body: unknown): Reply {
  if (ctx.query['ndjson']?.toLowerCase() !== 'true') return { status: 200, json: body }
  const lines = sections.map((s) => `${JSON.stringify(nest(s.path, s.value))}\n`)
  return {
    status: 200,
    stream: Readable.from(lines),
    headers: { 'Content-Type': 'application/x-ndjson' },
  }
}

const num = (value: unknown): number => (typeof value === 'number' ? value : 0)
const isWritableSr = (sr: XoRecord): boolean => num(sr['size']) > 0 && sr['content_type'] !== 'iso'
const list = (sim: Simulation, collection: 'pools' | 'hosts' | 'vms' | 'srs'): XoRecord[] => [
  ...sim.store.list(collection),
]

function hostCounts(
  hosts: XoRecord[],
): Record<'disabled' | 'running' | 'halted' | 'unknown' | 'total', number> {
  const c = { disabled: 0, running: 0, halted: 0, unknown: 0, total: hosts.length }
  for (const host of hosts) {
    if (host['power_state'] === 'Running') c[host['enabled'] === false ? 'disabled' : 'running']++
    else if (host['power_state'] === 'Halted') c.halted++
    else c.unknown++
  }
  return c
}

function vmCounts(vms: XoRecord[]) {
  const c = { running: 0, halted: 0, paused: 0, suspended: 0, unknown: 0, total: vms.length }
  const key: Record<string, 'running' | 'halted' | 'paused' | 'suspended'> = {
    Running: 'running',
    Halted: 'halted',
    Paused: 'paused',
    Suspended: 'suspended',
  }
  for (const vm of vms) c[key[String(vm['power_state'])] ?? 'unknown']++
  return c
}

/** The largest first, `length` at most (XO's getTopPerProperty). */
function top<T>(items: T[], prop: keyof T, length = 5): T[] {
  return [...items].sort((a, b) => num(b[prop]) - num(a[prop])).slice(0, length)
}

/** Mean of the last sample of each CPU series. */
function lastCpuMean(stats: Record<string, unknown>): number {
  const series = Object.values(
    (stats['cpus'] as Record<string, (number | null)[]> | undefined) ?? {},
  )
  return series.reduce((sum, s) => sum + (s[s.length - 1] ?? 0), 0) / series.length
}

// ---- XOA-wide dashboard (GET /dashboard) -------------------------------------------------------

function resourcesOverview(sim: Simulation): unknown {
  const pools = list(sim, 'pools')
  const hosts = list(sim, 'hosts')
  const srs = list(sim, 'srs').filter(isWritableSr)
  if (pools.length + hosts.length + srs.length === 0) return { isEmpty: true }
  const out = { nCpus: 0, memorySize: 0, srSize: 0 }
  // XO walks max(hosts, SRs) indexes and adds the pool at the same index, if any.
  for (let i = 0; i < Math.max(hosts.length, srs.length); i++) {
    out.nCpus += num((pools[i]?.['cpus'] as { cores?: number } | undefined)?.cores)
    out.memorySize += num((hosts[i]?.['memory'] as { size?: number } | undefined)?.size)
    out.srSize += num(srs[i]?.['size'])
  }
  return out
}

function poolsStatus(sim: Simulation) {
  const servers = [...sim.store.list('servers')]
  const c = { connected: 0, disconnected: 0, unreachable: 0, unknown: 0, total: servers.length }
  for (const server of servers) {
    const error = server['error'] as { connectedServerId?: string } | undefined
    if (server['status'] === 'connected' && sim.store.get('pools', String(server['poolId'])))
      c.connected++
    else if (server['status'] === 'disconnected' && error && error.connectedServerId === undefined)
      c.unreachable++
    else if (server['status'] === 'disconnected') c.disconnected++
    else c.unknown++
  }
  return c
}

/** Usage of the VDIs that replica VMs use, following each disk's parent chain once per SR. */
function replicatedSize(sim: Simulation, vdiId: string, seen: Set<string>): number {
  if (seen.has(vdiId)) return 0
  const vdi = sim.store.get('vdis', vdiId) ?? sim.store.get('vdi-snapshots', vdiId)
  if (!vdi) return 0
  seen.add(vdiId)
  let replica = false
  for (const vbdId of (vdi['$VBDs'] as string[] | undefined) ?? []) {
    const vbd = sim.store.get('vbds', vbdId)
    if (!vbd) continue
    const vmId = String(vbd['VM'])
    const owner =
      sim.store.get('vms', vmId) ??
      sim.store.get('vm-snapshots', vmId) ??
      sim.store.get('vm-templates', vmId)
    if (!owner) continue
    replica = isReplicaVm(owner)
    break // XO looks at the first VBD that resolves
  }
  const parent = vdi['parent']
  return (
    (replica ? num(vdi['usage']) : 0) +
    (typeof parent === 'string' ? replicatedSize(sim, parent, seen) : 0)
  )
}

function storageRepositories(sim: Simulation): unknown {
  const srs = list(sim, 'srs').filter(isWritableSr)
  if (srs.length === 0) return { isEmpty: true }
  let replicated = 0
  let total = 0
  let used = 0
  for (const sr of srs) {
    const seen = new Set<string>()
    for (const vdiId of (sr['VDIs'] as string[] | undefined) ?? [])
      replicated += replicatedSize(sim, vdiId, seen)
    total += num(sr['size'])
    used += num(sr['physical_usage'])
  }
  return { size: { available: total - used, other: used - replicated, replicated, total, used } }
}

function xoaDashboard(ctx: RequestContext): Reply {
  const sim = ctx.sim
  const vms = list(sim, 'vms')
  const c = vmCounts(vms)
  const hosts = hostCounts(list(sim, 'hosts'))
  const s = {
    nPools: sim.store.count('pools'),
    nHosts: sim.store.count('hosts'),
    hostsStatus: {
      disabled: hosts.disabled,
      running: hosts.running,
      halted: hosts.halted,
      unknown: hosts.unknown,
      total: hosts.total,
    },
    resourcesOverview: resourcesOverview(sim),
    vmsStatus: { active: c.running + c.paused, inactive: c.halted + c.suspended, ...c },
    storageRepositories: storageRepositories(sim),
    poolsStatus: poolsStatus(sim),
    missingPatches: NO_PATCH_AUTHORIZATION,
    backupRepositories: backupRepositoriesInfo(sim),
    backups: backupsInfo(sim),
  }
  // Lines in the order XO writes them; the JSON body in the order its object literal has.
  const sections = Object.entries(s).map(([path, value]) => ({ path, value }))
  const bodyOrder = [
    'nPools',
    'nHosts',
    'backupRepositories',
    'resourcesOverview',
    'poolsStatus',
    'missingPatches',
    'storageRepositories',
    'backups',
    'hostsStatus',
    'vmsStatus',
  ] as const
  const body = Object.fromEntries(bodyOrder.map((key) => [key, s[key]]))
  return dashboardReply(ctx, sections, body)
}

// ---- Pool dashboard (GET /pools/{id}/dashboard) ------------------------------------------------

function poolDashboard(ctx: RequestContext): Reply {
  const sim = ctx.sim
  const pool = targetRecord(ctx)
  const inPool = (r: XoRecord): boolean => r['$pool'] === pool.id
  const hosts = list(sim, 'hosts').filter(inPool)
  const running = hosts.filter((h) => h['power_state'] === 'Running')
  const vms = list(sim, 'vms').filter(inPool)
  const h = hostCounts(hosts)
  const v = vmCounts(vms)

  const srsTop = top(
    list(sim, 'srs')
      .filter((sr) => inPool(sr) && isWritableSr(sr) && sr['SR_type'] !== 'udev')
      .map((sr) => ({
        name_label: sr['name_label'],
        id: sr.id,
        percent: (num(sr['physical_usage']) / num(sr['size'])) * 100,
        physical_usage: sr['physical_usage'],
        size: sr['size'],
      })),
    'percent',
  )
  const hostsRam = top(
    running.map((host) => {
      const { size = 0, usage = 0 } =
        (host['memory'] as { size?: number; usage?: number } | undefined) ?? {}
      return {
        name_label: host['name_label'],
        id: host.id,
        size,
        usage,
        percent: (usage / size) * 100,
      }
    }),
    'percent',
  )
  const hostsCpu = top(
    running.map((host) => ({
      percent: lastCpuMean(hostStats(sim, host, 'seconds').stats),
      id: host.id,
      name_label: host['name_label'],
    })),
    'percent',
  )
  let assigned = 0
  for (const vm of vms)
    if (vm['power_state'] === 'Running')
      assigned += num((vm['CPUs'] as { number?: number })?.number)
  const total = num((pool['cpus'] as { cores?: number } | undefined)?.cores)
  const ram: {
    id: string
    name_label: unknown
    memory: number
    memoryFree: number
    percent: number
  }[] = []
  const cpu: { id: string; name_label: unknown; percent: number }[] = []
  for (const vm of vms.filter(
    (x) => x['power_state'] === 'Running' || x['power_state'] === 'Paused',
  )) {
    const { stats } = vmStats(sim, vm, 'seconds')
    if (vm['managementAgentDetected'] === true) {
      const last = (key: string): number => ((stats[key] as number[] | undefined) ?? []).at(-1) ?? 0
      const [memory, memoryFree] = [last('memory'), last('memoryFree')]
      ram.push({
        id: vm.id,
        name_label: vm['name_label'],
        memory,
        memoryFree,
        percent: ((memory - memoryFree) / memory) * 100,
      })
    }
    cpu.push({ id: vm.id, name_label: vm['name_label'], percent: lastCpuMean(stats) })
  }

  const sections: Section[] = [
    {
      path: 'hosts.status',
      value: { running: h.running, disabled: h.disabled, halted: h.halted, total: h.total },
    },
    {
      path: 'vms.status',
      value: {
        running: v.running,
        halted: v.halted,
        paused: v.paused,
        total: v.total,
        suspended: v.suspended,
      },
    },
    { path: 'alarms', value: [...sim.store.list('alarms')].filter(inPool).map((a) => a.id) },
    { path: 'srs.topFiveUsage', value: srsTop },
    { path: 'hosts.topFiveUsage.ram', value: hostsRam },
    {
      path: 'cpuProvisioning',
      value: { total, assigned, percent: total === 0 ? 0 : (assigned * 100) / total },
    },
    { path: 'hosts.missingPatches', value: NO_PATCH_AUTHORIZATION },
    { path: 'hosts.topFiveUsage.cpu', value: hostsCpu },
    { path: 'vms.topFiveUsage', value: { ram: top(ram, 'percent'), cpu: top(cpu, 'percent') } },
  ]
  const at = (path: string): unknown => sections.find((s) => s.path === path)?.value
  const body = {
    hosts: {
      status: at('hosts.status'),
      topFiveUsage: { ram: hostsRam, cpu: hostsCpu },
      missingPatches: NO_PATCH_AUTHORIZATION,
    },
    vms: { status: at('vms.status'), topFiveUsage: at('vms.topFiveUsage') },
    srs: { topFiveUsage: srsTop },
    alarms: at('alarms'),
    cpuProvisioning: at('cpuProvisioning'),
  }
  return dashboardReply(ctx, sections, body)
}

// ---- VM dashboard (GET /vms/{id}/dashboard) ----------------------------------------------------

function quickInfo(vm: XoRecord): Record<string, unknown> {
  const container = vm['$container']
  const creation = vm['creation'] as { date?: string; user?: string } | undefined
  return {
    id: vm.id,
    power_state: vm['power_state'],
    uuid: vm['uuid'],
    name_description: vm['name_description'],
    CPUs: { number: (vm['CPUs'] as { number?: number } | undefined)?.number },
    mainIpAddress: vm['mainIpAddress'],
    os_version: { name: (vm['os_version'] as { name?: string } | null | undefined)?.name },
    memory: { size: (vm['memory'] as { size?: number } | undefined)?.size },
    creation: { date: creation?.date, user: creation?.user },
    $pool: vm['$pool'],
    virtualizationMode: vm['virtualizationMode'],
    tags: vm['tags'],
    host: container === vm['$pool'] ? undefined : container,
    pvDriversDetected: vm['pvDriversDetected'] ?? false,
    pvDriversVersion: vm['pvDriversVersion'],
    pvDriversUpToDate: vm['pvDriversUpToDate'],
    startTime: vm['startTime'],
  }
}

function vmDashboard(ctx: RequestContext): Reply {
  const sim = ctx.sim
  const vm = targetRecord(ctx)
  const alarms = [...sim.store.list('alarms')]
    .filter((a) => (a['object'] as { uuid?: string } | undefined)?.uuid === vm.id)
    .map((a) => a.id)
  const replication = lastReplication(sim, vm)
  const backups = vmBackups(sim, vm)
  const backupArchives = lastArchives(sim, vm)
  const sections: Section[] = [
    { path: 'quickInfo', value: quickInfo(vm) },
    { path: 'alarms', value: alarms },
    { path: 'backupsInfo.replication', value: replication },
    { path: 'backupsInfo', value: backups },
    { path: 'backupsInfo.backupArchives', value: backupArchives },
  ]
  const body = {
    quickInfo: quickInfo(vm),
    alarms,
    backupsInfo: {
      lastRuns: backups.lastRuns,
      vmProtection: backups.vmProtection,
      replication,
      backupArchives,
    },
  }
  return dashboardReply(ctx, sections, body)
}

export function registerDashboards(table: HandlerTable): void {
  table.on('GET', '/dashboard', xoaDashboard)
  table.on('GET', '/pools/{id}/dashboard', poolDashboard)
  table.on('GET', '/vms/{id}/dashboard', vmDashboard)
}
