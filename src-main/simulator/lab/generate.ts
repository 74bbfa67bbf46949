/**
 * The simulator's deterministic lab: the same seed, VM count and "now" always give the same
 * objects, byte for byte. Phases run in dependency order, each on its own random stream
 * (random.ts), then totals that depend on everything (memory in use, SR usage) are summed.
 */
import { buildActivity } from './activity'
import { buildBackups } from './backups'
import {
  createContext,
  DEFAULT_NOW,
  type HostRecord,
  type LabContext,
  type SrRecord,
  type VdiRecord,
} from './common'
import { buildInfrastructure, planPools } from './infrastructure'
import { buildTemplates } from './templates'
import { COLLECTIONS, type CollectionName, type LabData, type LabOptions } from './types'
import { buildVms } from './vms'
import { buildPeople, buildProxies, buildServers } from './xo-records'

/** An SMB-sized lab (10–50 VMs per pool). */
export const DEFAULT_VM_COUNT = 150

/** Host memory in use, SR usage and VDI chain sizes, from the records that make them up. */
function sumTotals(ctx: LabContext): void {
  const c = ctx.collections
  const hosts = new Map(c.hosts.map((host) => [host.id, host as HostRecord]))
  for (const host of hosts.values()) host.memory.usage = 0
  // Memory is held by running and paused domains; a suspended VM's memory is on disk.
  for (const vm of [...c['vm-controllers'], ...c.vms]) {
    if (vm.power_state !== 'Running' && vm.power_state !== 'Paused') continue
    const host = hosts.get(vm.$container as string)
    if (host) host.memory.usage += (vm.memory as { size: number }).size
  }

  const srs = new Map(c.srs.map((sr) => [sr.id, sr as SrRecord]))
  const vdis = new Map(c.vdis.map((vdi) => [vdi.id, vdi as VdiRecord]))
  for (const sr of srs.values()) {
    sr.usage = 0
    sr.physical_usage = 0
  }
  for (const vdi of vdis.values()) vdi.chainPhysicalUsage = vdi.usage
  for (const disk of [...c.vdis, ...c['vdi-snapshots']] as VdiRecord[]) {
    const sr = srs.get(disk.$SR)
    if (sr) {
      sr.usage += disk.size
      sr.physical_usage += disk.usage
    }
    const parent = disk.type === 'VDI-snapshot' ? vdis.get(disk.$snapshot_of as string) : undefined
    if (parent) parent.chainPhysicalUsage = (parent.chainPhysicalUsage as number) + disk.usage
  }
  // Local disks are what the hardware has; shared arrays grow with the lab so they never overflow.
  for (const sr of srs.values()) {
    if (sr.shared && sr.physical_usage > sr.size * 0.85) {
      sr.size = Math.ceil(sr.physical_usage / 0.7 / 2 ** 40) * 2 ** 40
    }
  }
}

/** Link lists built by `push`, which leaves spare capacity behind each array. */
const GROWN_LISTS: Partial<Record<CollectionName, readonly string[]>> = {
  vms: ['$VBDs', 'VIFs', 'tags'],
  'vm-snapshots': ['$VBDs', 'VIFs'],
  vdis: ['$VBDs'],
  'vdi-snapshots': ['$VBDs'],
  srs: ['VDIs', '$PBDs'],
  networks: ['PIFs', 'VIFs'],
  hosts: ['residentVms', '$PBDs', 'PIFs', '$PIFs', 'PCIs', '$PCIs', 'PGPUs', '$PGPUs'],
}

/** Copies grown lists to exact-size arrays: a VDI's one-VBD list otherwise reserves 17 slots. */
function compactLists(ctx: LabContext): void {
  for (const [name, keys] of Object.entries(GROWN_LISTS) as [CollectionName, readonly string[]][]) {
    for (const record of ctx.collections[name]) {
      for (const key of keys) {
        const list = record[key]
        if (Array.isArray(list) && list.length > 0 && !Object.isFrozen(list))
          record[key] = list.slice()
      }
    }
  }
}

export function generateLab(options: LabOptions): LabData {
  const now = options.now ?? DEFAULT_NOW
  const vmCount = Math.max(0, Math.floor(options.vms ?? DEFAULT_VM_COUNT))
  const ctx = createContext(options.seed, now)

  const people = buildPeople(ctx)
  const pools = buildInfrastructure(ctx, planPools(ctx.random('plan'), vmCount))
  const templates = buildTemplates(ctx, pools, people.admin.id)
  const guests = buildVms(ctx, pools, templates, people, vmCount)
  buildServers(ctx, pools)
  const proxyVm = guests.find((guest) => guest.role.prefix === 'xo-proxy')?.record ?? null
  const proxy = buildProxies(ctx, proxyVm)
  const backups = buildBackups(ctx, pools, guests, people.admin.id, proxy.id)
  buildActivity(ctx, {
    pools,
    guests,
    adminId: people.admin.id,
    operatorId: people.operator.id,
    schedules: backups.schedules,
  })
  sumTotals(ctx)
  compactLists(ctx)

  const collections = {} as LabData['collections']
  for (const name of COLLECTIONS) collections[name] = ctx.collections[name]
  return { seed: options.seed, collections, accounts: people.accounts }
}
