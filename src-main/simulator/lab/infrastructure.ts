/**
 * Pools and what they are made of (shaped as @xen-orchestra/rest-api 0.39.0,
 * dist/open-api/oa-examples/): the plan of pools and hosts for a lab size, each pool's networks and
 * shared storage, then its hosts (hosts.ts) and storage (storage.ts).
 */
import { HARDWARE, type HardwareModel } from './catalog'
import {
  counter,
  deepFreeze,
  EMPTY_MAP,
  TiB,
  xapiIdentity,
  type HostRecord,
  type LabContext,
  type NetworkRecord,
  type PoolRecord,
  type SrRecord,
  type VdiRecord,
  type VmRecord,
} from './common'
import { buildHost } from './hosts'
import type { Random } from './random'
import { haVolumes, isoLibrary, plugSr, storageDrivers, storageRepository } from './storage'

export type PoolProfile = 'production' | 'staging' | 'branch' | 'cluster'

export interface PoolPlan {
  index: number
  name: string
  description: string
  hostPrefix: string
  hostCount: number
  profile: PoolProfile
}

export interface HostModel {
  record: HostRecord
  pool: PoolModel
  localSr: SrRecord
  dom0: VmRecord
  /** RAM not yet given to a domain, while VMs are placed (bytes). */
  freeMemory: number
  /** Room left on the local SR for new disks, counted at their full size (bytes). */
  freeLocalDisk: number
}

export interface PoolModel {
  plan: PoolPlan
  record: PoolRecord
  hosts: HostModel[]
  /** Second octet of the pool's 10.x.0.0/16 addressing. */
  subnet: number
  managementNetwork: NetworkRecord
  storageNetwork: NetworkRecord
  dmzNetwork: NetworkRecord
  /** Shared NFS SR: the pool's default SR, where halted VMs and templates keep their disks. */
  defaultSr: SrRecord
  sanSr: SrRecord | null
  isoVdis: VdiRecord[]
}

const FIRST_POOLS: readonly Omit<PoolPlan, 'index' | 'hostCount'>[] = [
  {
    name: 'Production',
    description: 'Main datacenter, rack A',
    hostPrefix: 'prod',
    profile: 'production',
  },
  {
    name: 'Staging',
    description: 'Pre-production and developer VMs',
    hostPrefix: 'stg',
    profile: 'staging',
  },
  {
    name: 'Branch Office',
    description: 'Lyon office',
    hostPrefix: 'branch',
    profile: 'branch',
  },
]
const MAX_HOSTS_PER_POOL = 32

/** An SMB lab: ~8 hosts in 2–3 pools; bigger VM counts get more hosts (~19 VMs each). */
export function planPools(random: Random, vmCount: number): PoolPlan[] {
  const hostCount = Math.max(8, Math.round(vmCount / 19))
  let sizes: number[]
  if (hostCount === 8) {
    sizes = random.chance(0.5) ? [4, 3, 1] : [5, 3]
  } else {
    const poolCount = Math.max(3, Math.ceil(hostCount / MAX_HOSTS_PER_POOL))
    const base = Math.floor(hostCount / poolCount)
    sizes = Array.from({ length: poolCount }, (_, i) => base + (i < hostCount % poolCount ? 1 : 0))
  }
  return sizes.map((size, index) => {
    const named = FIRST_POOLS[index]
    return named
      ? { ...named, index, hostCount: size }
      : {
          index,
          hostCount: size,
          name: `Cluster ${counter(index + 1)}`,
          description: `Compute cluster ${index + 1}`,
          hostPrefix: `c${counter(index + 1)}`,
          profile: 'cluster',
        }
  })
}

const INTERNAL_NETWORK_CONFIG = deepFreeze({
  is_guest_installer_network: 'true',
  is_host_internal_management_network: 'true',
  ip_begin: '169.254.0.1',
  ip_end: '169.254.255.254',
  netmask: '255.255.0.0',
})

interface NetworkSpec {
  name: string
  description: string
  bridge: string
  mtu: number
  nbd: boolean
  otherConfig: Readonly<Record<string, string>>
}

function network(
  ctx: LabContext,
  random: Random,
  poolId: string,
  spec: NetworkSpec,
): NetworkRecord {
  const record: NetworkRecord = {
    automatic: false,
    bridge: spec.bridge,
    current_operations: EMPTY_MAP,
    defaultIsLocked: false,
    MTU: spec.mtu,
    name_description: spec.description,
    name_label: spec.name,
    other_config: spec.otherConfig,
    tags: [],
    PIFs: [],
    VIFs: [],
    nbd: spec.nbd,
    insecureNbd: false,
    isBonded: false,
    type: 'network',
    ...xapiIdentity(random, poolId),
  }
  ctx.collections.networks.push(record)
  return record
}

function buildPool(ctx: LabContext, random: Random, plan: PoolPlan): PoolModel {
  const uuid = random.uuid()
  const subnet = 10 + plan.index
  const record: PoolRecord = {
    auto_poweron: plan.profile !== 'staging',
    current_operations: EMPTY_MAP,
    HA_enabled: false,
    haRebootVmOnInternalShutdown: true,
    haSrs: [],
    master: '',
    migrationCompression: false,
    tags: plan.profile === 'cluster' ? [] : [plan.profile],
    name_description: plan.description,
    name_label: plan.name,
    otherConfig: { auto_poweron: String(plan.profile !== 'staging'), 'memory-ratio-hvm': '0.25' },
    cpus: { cores: 0, sockets: 0 },
    zstdSupported: true,
    vtpmSupported: true,
    platform_version: '3.4.0',
    type: 'pool',
    ...xapiIdentity(random, uuid, uuid),
  }
  ctx.collections.pools.push(record)
  const pool: PoolModel = {
    plan,
    record,
    hosts: [],
    subnet,
    managementNetwork: network(ctx, random, uuid, {
      name: 'Pool-wide network associated with eth0',
      description: '',
      bridge: 'xenbr0',
      mtu: 1500,
      nbd: true,
      otherConfig: EMPTY_MAP,
    }),
    storageNetwork: network(ctx, random, uuid, {
      name: 'Pool-wide network associated with eth1',
      description: 'Storage traffic (jumbo frames)',
      bridge: 'xenbr1',
      mtu: 9000,
      nbd: false,
      otherConfig: EMPTY_MAP,
    }),
    dmzNetwork: network(ctx, random, uuid, {
      name: 'DMZ (VLAN 20)',
      description: 'Public-facing services',
      bridge: 'xapi1',
      mtu: 1500,
      nbd: false,
      otherConfig: EMPTY_MAP,
    }),
    // Shared storage sized for the pool: ~4 TiB per host, at least 8 TiB.
    defaultSr: storageRepository(ctx, random, uuid, {
      name: `NAS${counter(plan.index + 1)} NFS`,
      description: 'TrueNAS, RAIDZ2',
      srType: 'nfs',
      contentType: 'user',
      shared: true,
      size: Math.max(8, 4 * plan.hostCount) * TiB,
      allocation: 'thin',
      container: uuid,
    }),
    sanSr: null,
    isoVdis: [],
  }
  network(ctx, random, uuid, {
    name: 'Host internal management network',
    description: 'Link-local network dom0 uses to talk to XenAPI from guests',
    bridge: 'xenapi',
    mtu: 1500,
    nbd: false,
    otherConfig: INTERNAL_NETWORK_CONFIG,
  })
  return pool
}

/** Builds every pool of the plan, with hosts, networks, storage and drivers. */
export function buildInfrastructure(ctx: LabContext, plans: readonly PoolPlan[]): PoolModel[] {
  const random = ctx.random('infrastructure')
  return plans.map((plan) => {
    const pool = buildPool(ctx, random, plan)
    const model = HARDWARE[plan.index % HARDWARE.length] as HardwareModel
    for (let i = 0; i < plan.hostCount; i++) pool.hosts.push(buildHost(ctx, random, pool, model, i))
    const master = pool.hosts[0]
    if (!master) throw new Error(`pool ${plan.name} has no host`)
    const poolId = pool.record.id
    const nas = `nas${counter(plan.index + 1)}.lab.local`

    const nfs = pool.defaultSr
    for (const host of pool.hosts) {
      plugSr(ctx, random, host.record, host.dom0, nfs, {
        server: `10.${pool.subnet}.1.50`,
        serverpath: '/mnt/tank/xcp-vms',
        nfsversion: '4.1',
      })
    }
    if (plan.profile === 'production') {
      const san = storageRepository(ctx, random, poolId, {
        name: 'SAN LUN01 (iSCSI)',
        description: 'All-flash array, multipathed',
        srType: 'lvmoiscsi',
        contentType: 'user',
        shared: true,
        size: Math.max(4, 2 * plan.hostCount) * TiB,
        allocation: 'thick',
        container: poolId,
        smConfig: { allocation: 'thick', use_vhd: 'true', multipathable: 'true' },
        tags: ['ssd'],
      })
      const scsiId = `36589cfc${random.hex(25)}`
      for (const host of pool.hosts) {
        plugSr(ctx, random, host.record, host.dom0, san, {
          target: `10.${pool.subnet}.1.60`,
          targetIQN: 'iqn.2005-10.org.freenas.ctl:xcp-lun01',
          SCSIid: scsiId,
          port: '3260',
        })
      }
      pool.sanSr = san
      if (plan.hostCount > 1) {
        haVolumes(ctx, random, san)
        pool.record.HA_enabled = true
        pool.record.haSrs = [san.id]
      }
    }
    isoLibrary(ctx, random, pool, nas)
    storageDrivers(ctx, random, poolId)

    let cores = 0
    let sockets = 0
    for (const host of pool.hosts) {
      const cpus = host.record.cpus as { cores: number; sockets: number }
      cores += cpus.cores
      sockets += cpus.sockets
    }
    Object.assign(pool.record, {
      master: master.record.id,
      default_SR: nfs.id,
      crashDumpSr: nfs.id,
      suspendSr: nfs.id,
      cpus: { cores, sockets },
    })
    return pool
  })
}
