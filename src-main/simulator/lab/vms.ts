/**
 * The guests: VMs in every power state with their disks, CD drive, NICs, guest metrics and
 * snapshots (shaped as in @xen-orchestra/rest-api 0.39.0,
 * dist/open-api/oa-examples/vm.oa-example.mjs). A plan is drawn first (role, environment, OS,
 * power state per VM), so the lab can guarantee all four power states before anything is built.
 */
import {
  OLD_WINDOWS_TOOLS,
  OPERATING_SYSTEMS,
  VM_ROLES,
  type Environment,
  type OsProfile,
  type PvDriversVersion,
  type VmRole,
} from './catalog'
import {
  counter,
  DAY_S,
  deepFreeze,
  EMPTY_LIST,
  EMPTY_MAP,
  GiB,
  isoDate,
  MiB,
  type LabContext,
  type NetworkRecord,
  type SrRecord,
  type VdiRecord,
  type VmRecord,
} from './common'
import { attachCdDrive, attachDisk, attachNic, createVdi } from './devices'
import type { HostModel, PoolModel, PoolProfile } from './infrastructure'
import type { Random } from './random'
import { snapshotGuest } from './snapshots'
import {
  BOOT_BIOS,
  BOOT_UEFI,
  LINUX_XENSTORE,
  memoryOf,
  WINDOWS_XENSTORE,
  type TemplateSet,
} from './templates'
import type { People } from './xo-records'

export type PowerState = 'Running' | 'Halted' | 'Paused' | 'Suspended'
export const POWER_STATES: readonly PowerState[] = ['Running', 'Halted', 'Paused', 'Suspended']

export interface GuestModel {
  record: VmRecord
  pool: PoolModel
  host: HostModel | null
  os: OsProfile
  role: VmRole
  env: Environment
  disks: VmDisk[]
  nics: VmNic[]
  /** Guest tools report (addresses, OS version, memory usage). */
  tools: boolean
}

export interface VmDisk {
  vdi: VdiRecord
  sr: SrRecord
}

export interface VmNic {
  network: NetworkRecord
  mac: string
  device: number
}

interface PlannedVm {
  pool: PoolModel
  /** Position among the pool's VMs: picks its IP addresses. */
  slot: number
  role: VmRole
  env: Environment
  os: OsProfile
  state: PowerState
  name: string
}

/** XO's own appliance and its backup proxy: the first VMs of the first pool. */
const SPECIAL_ROLES: readonly VmRole[] = deepFreeze([
  {
    prefix: 'xoa',
    description: 'Xen Orchestra appliance',
    os: ['debian12'],
    perEnvironment: false,
    cpus: [2],
    memoryGiB: [4],
    systemDiskGiB: [20],
    dataDiskGiB: [],
    dmz: false,
    weight: 0,
  },
  {
    prefix: 'xo-proxy',
    description: 'XO backup proxy',
    os: ['debian12'],
    perEnvironment: false,
    cpus: [2],
    memoryGiB: [2],
    systemDiskGiB: [10],
    dataDiskGiB: [],
    dmz: false,
    weight: 0,
  },
])

const BRANCH_ROLES = new Set(['dc', 'files', 'fw', 'dns', 'vpn', 'rds', 'web', 'app'])
const STAGING_EXTRA_ROLES = new Set(['ci-runner', 'win11-dev', 'gitlab'])

function roleWeights(profile: PoolProfile): [VmRole, number][] {
  return VM_ROLES.map((role): [VmRole, number] => {
    if (profile === 'branch') return [role, BRANCH_ROLES.has(role.prefix) ? role.weight + 2 : 0]
    if (profile === 'staging') {
      return [role, role.perEnvironment || STAGING_EXTRA_ROLES.has(role.prefix) ? role.weight : 0]
    }
    return [role, role.weight]
  }).filter(([, weight]) => weight > 0)
}

const ENVIRONMENTS: Record<PoolProfile, [Environment, number][]> = {
  production: [
    ['prod', 85],
    ['staging', 10],
    ['dev', 5],
  ],
  staging: [
    ['staging', 60],
    ['dev', 40],
  ],
  branch: [['prod', 1]],
  cluster: [
    ['prod', 60],
    ['staging', 25],
    ['dev', 15],
  ],
}

/** Production keeps its VMs up; dev VMs are mostly off. About half of all VMs run. */
const POWER_BY_ENV: Record<Environment, [PowerState, number][]> = {
  prod: [
    ['Running', 68],
    ['Halted', 26],
    ['Suspended', 3],
    ['Paused', 3],
  ],
  staging: [
    ['Running', 45],
    ['Halted', 47],
    ['Suspended', 5],
    ['Paused', 3],
  ],
  dev: [
    ['Running', 30],
    ['Halted', 62],
    ['Suspended', 5],
    ['Paused', 3],
  ],
}

const OS_BY_KEY = new Map(OPERATING_SYSTEMS.map((os) => [os.key, os]))

/** Splits `count` VMs over the pools in proportion to their hosts (largest remainder). */
function vmsPerPool(pools: readonly PoolModel[], count: number): number[] {
  const hosts = pools.reduce((sum, pool) => sum + pool.hosts.length, 0)
  const exact = pools.map((pool) => (count * pool.hosts.length) / hosts)
  const shares = exact.map(Math.floor)
  let left = count - shares.reduce((a, b) => a + b, 0)
  const byRemainder = exact
    .map((value, i) => [value - Math.floor(value), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break
    shares[i] = (shares[i] ?? 0) + 1
  }
  return shares
}

function planVms(random: Random, pools: readonly PoolModel[], count: number): PlannedVm[] {
  const plan: PlannedVm[] = []
  const counters = new Map<string, number>()
  const shares = vmsPerPool(pools, count)
  pools.forEach((pool, p) => {
    const weights = roleWeights(pool.plan.profile)
    for (let slot = 0; slot < (shares[p] ?? 0); slot++) {
      const special = p === 0 ? SPECIAL_ROLES[slot] : undefined
      const role = special ?? random.weighted(weights)
      const env = special ? 'prod' : random.weighted(ENVIRONMENTS[pool.plan.profile])
      const os = OS_BY_KEY.get(random.pick(role.os)) ?? (OPERATING_SYSTEMS[0] as OsProfile)
      const state = special ? 'Running' : random.weighted(POWER_BY_ENV[env])
      const key = role.perEnvironment ? `${role.prefix}-${env}` : role.prefix
      const n = (counters.get(key) ?? 0) + 1
      counters.set(key, n)
      const name = role.prefix === 'xoa' ? 'xoa' : `${key}-${counter(n)}`
      plan.push({ pool, slot, role, env, os, state, name })
    }
  })
  // Every power state (Running, Halted, Paused, Suspended) must be there to demonstrate: take from
  // the commonest one.
  for (const state of POWER_STATES) {
    if (plan.length < POWER_STATES.length || plan.some((vm) => vm.state === state)) continue
    const tally = new Map<PowerState, number>()
    for (const vm of plan) tally.set(vm.state, (tally.get(vm.state) ?? 0) + 1)
    const commonest = [...tally].sort((a, b) => b[1] - a[1])[0]?.[0]
    const donor = plan.findLast((vm) => vm.state === commonest && vm.role.weight > 0)
    if (donor) donor.state = state
  }
  return plan
}

const XSA_CLEAR = deepFreeze({ xsa468: false })
const XSA_NO_DRIVERS = deepFreeze({ xsa468: { reason: 'no-pv-drivers-detected' } })
const XSA_OLD_DRIVERS = deepFreeze({
  xsa468: { reason: 'pv-driver-version-vulnerable', driver: 'XenIface', version: '9.0.9030' },
})
const PROTECTED = deepFreeze({ destroy: 'true' })
const GUEST_BIOS = deepFreeze({
  'bios-vendor': 'Xen',
  'bios-version': '',
  'system-manufacturer': 'Xen',
  'system-product-name': 'HVM domU',
  'system-version': '',
  'system-serial-number': '',
  'oem-1': 'Xen',
})
const CRITICAL_ROLES = new Set(['db', 'sql', 'dc', 'files', 'app'])
const NOTES = [
  'Ask #infra before rebooting',
  'Migrated from VMware in 2024',
  'Owner: web team',
  'License bound to MAC',
]

function vmAddress(subnet: number, slot: number): string {
  const at = slot % (200 * 250)
  return `10.${subnet}.${16 + Math.floor(at / 250)}.${(at % 250) + 2}`
}

/** The IPv6 link-local address a guest derives from its MAC (EUI-64). */
function linkLocal(mac: string): string {
  const byte = (i: number): number => parseInt(mac.slice(i * 3, i * 3 + 2), 16)
  const groups = [
    ((byte(0) ^ 0x02) << 8) | byte(1),
    (byte(2) << 8) | 0xff,
    0xfe00 | byte(3),
    (byte(4) << 8) | byte(5),
  ]
  return `fe80::${groups.map((group) => group.toString(16)).join(':')}`
}

function driversVersion(version: PvDriversVersion): string {
  return `${version.major}.${version.minor}.${version.micro}-${version.build}`
}

/**
 * A host with `memory` bytes free: a random one, else the emptiest (XAPI places VMs where they
 * fit). Suspended VMs need none: their memory is on disk.
 */
function place(random: Random, hosts: readonly HostModel[], memory: number): HostModel | null {
  let host = random.pick(hosts)
  if (host.freeMemory < memory) {
    for (const candidate of hosts) if (candidate.freeMemory > host.freeMemory) host = candidate
    if (host.freeMemory < memory) return null
  }
  host.freeMemory -= memory
  return host
}

/** Where a disk lives: big data on the NAS, databases on the SAN, some running VMs on local disks. */
function srFor(
  random: Random,
  planned: PlannedVm,
  host: HostModel | null,
  sizeGiB: number,
): SrRecord {
  const { pool } = planned
  if (sizeGiB > 500) return pool.defaultSr
  if (pool.sanSr && (planned.role.prefix === 'db' || planned.role.prefix === 'sql'))
    return pool.sanSr
  // Halted VMs keep their disks on shared storage, so their `$container` is the pool (a local disk
  // would make it that host: xo-server's xapi-object-to-xo.mjs).
  const size = sizeGiB * GiB
  if (host && host.freeLocalDisk >= size && random.chance(0.35)) {
    host.freeLocalDisk -= size
    return host.localSr
  }
  return pool.defaultSr
}

function usageOf(random: Random, sr: SrRecord, size: number): number {
  if (sr.allocationStrategy === 'thick') return size
  return Math.round((size * random.between(0.12, 0.85)) / MiB) * MiB
}

function buildVm(
  ctx: LabContext,
  random: Random,
  planned: PlannedVm,
  templates: TemplateSet,
  people: People,
): GuestModel {
  const { pool, role, env, os } = planned
  const poolId = pool.record.id
  const cpus = random.pick(role.cpus)
  const memory = random.pick(role.memoryGiB) * GiB
  let state = planned.state
  const host =
    state === 'Halted' ? null : place(random, pool.hosts, state === 'Suspended' ? 0 : memory)
  // No host of the pool has room left: the VM stays off, as XAPI would refuse to start it.
  if (!host) state = 'Halted'
  const running = state === 'Running' || state === 'Paused'
  const windows = os.family === 'windows'
  const tools = running && os.tools !== null && random.chance(windows ? 0.85 : 0.95)
  const oldDrivers = tools && windows && random.chance(0.25)
  const uptime = random.int(3600, 180 * DAY_S)
  const startTime = running ? ctx.nowSeconds - uptime : null
  const installTime = ctx.nowSeconds - uptime - random.int(10, 900) * DAY_S
  const golden = templates.custom.get(poolId)?.find((t) => t.name_label === 'debian-12-cloudinit')
  const templateUuid =
    os.key === 'debian12' && golden && random.chance(0.5)
      ? golden.uuid
      : templates.defaultUuids.get(os.template)
  const creator = env !== 'prod' && random.chance(0.3) ? people.operator.id : people.admin.id
  const creation = {
    date: isoDate(installTime * 1000 + random.int(0, 999)),
    template: templateUuid ?? '',
    user: creator,
  }
  const uuid = random.uuid()
  const macs = role.dmz ? [random.mac(), random.mac()] : [random.mac()]
  const ip = vmAddress(pool.subnet, planned.slot)
  const dmzIp = `192.168.${pool.subnet}.${(planned.slot % 250) + 2}`
  const autoPoweron = env === 'prod' && pool.record.auto_poweron === true && random.chance(0.6)
  const critical = env === 'prod' && CRITICAL_ROLES.has(role.prefix)

  const other: Record<string, string> = {
    base_template_name: os.template,
    mac_seed: random.uuid(),
    [`xo:${uuid.slice(0, 8)}`]: JSON.stringify({ creation }),
  }
  if (autoPoweron) other.auto_poweron = 'true'
  const tags: string[] = [env]
  if (env !== 'dev' && random.chance(0.55)) tags.push('backup')
  if (os.family === 'windows') tags.push('windows')

  const record: VmRecord = {
    type: 'VM',
    addresses: EMPTY_MAP,
    auto_poweron: autoPoweron,
    bios_strings: GUEST_BIOS,
    blockedOperations: critical && random.chance(0.5) ? PROTECTED : EMPTY_MAP,
    boot: os.firmware === 'uefi' ? BOOT_UEFI : BOOT_BIOS,
    CPUs: { max: role.prefix === 'app' && random.chance(0.2) ? cpus * 2 : cpus, number: cpus },
    creation,
    current_operations: EMPTY_MAP,
    expNestedHvm: false,
    isNestedVirtEnabled: false,
    viridian: windows,
    high_availability:
      pool.record.HA_enabled === true && critical ? random.pick(['restart', 'best-effort']) : '',
    isFirmwareSupported: true,
    memory: { ...memoryOf(memory), size: memory },
    installTime,
    name_description: random.chance(0.8) ? role.description : '',
    name_label: planned.name,
    needsVtpm: os.vtpm,
    other,
    os_version: tools ? os.osVersion : null,
    power_state: state,
    hasVendorDevice: false,
    snapshots: EMPTY_LIST,
    startDelay: 0,
    startTime,
    secureBoot: os.secureBoot,
    tags,
    VIFs: [],
    VTPMs: os.vtpm ? [random.uuid()] : EMPTY_LIST,
    virtualizationMode: 'hvm',
    // Running, paused and suspended VMs sit on their host, halted ones on the pool
    // (docs/xo-rest-api.md#what-objects-look-like).
    $container: host ? host.record.id : poolId,
    $VBDs: [],
    VGPUs: EMPTY_LIST,
    $VGPUs: EMPTY_LIST,
    xenStoreData: windows ? WINDOWS_XENSTORE : LINUX_XENSTORE,
    vga: 'std',
    videoram: 8,
    vulnerabilities: !windows
      ? XSA_CLEAR
      : oldDrivers
        ? XSA_OLD_DRIVERS
        : running && !tools
          ? XSA_NO_DRIVERS
          : XSA_CLEAR,
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  if (windows) record.coresPerSocket = cpus
  if (random.chance(0.05)) record.notes = random.pick(NOTES)
  if (running) {
    // Guest metrics exist only while the guest runs (xapi-object-to-xo.mjs: getVmGuestToolsProps).
    const drivers = oldDrivers ? OLD_WINDOWS_TOOLS : os.tools
    record.xenTools =
      tools && drivers
        ? {
            major: +drivers.major,
            minor: +drivers.minor,
            version: +`${drivers.major}.${drivers.minor}`,
          }
        : false
    record.managementAgentDetected = tools
    record.pvDriversDetected = tools
    if (tools && drivers) {
      record.pvDriversVersion = driversVersion(drivers)
      record.pvDriversUpToDate = !oldDrivers
      record.memory.usage = Math.round((memory * random.between(0.25, 0.85)) / MiB) * MiB
      const addresses: Record<string, string> = { '0/ipv4/0': ip }
      if (!windows) addresses['0/ipv6/0'] = linkLocal(macs[0] ?? '')
      if (role.dmz) addresses['1/ipv4/0'] = dmzIp
      record.addresses = addresses
      record.mainIpAddress = ip
    }
  }
  ctx.collections.vms.push(record)
  host?.record.residentVms.push(record.id)

  // Disks: a system disk, sometimes a data disk; then the CD drive and the NICs.
  const disks: VmDisk[] = []
  const sizes = [random.pick(role.systemDiskGiB)]
  if (role.dataDiskGiB.length > 0 && random.chance(0.8)) sizes.push(random.pick(role.dataDiskGiB))
  sizes.forEach((sizeGiB, position) => {
    const sr = srFor(random, planned, host, sizeGiB)
    const size = sizeGiB * GiB
    const vdi = createVdi(ctx, random, sr, {
      name: `${planned.name} ${position === 0 ? 'system' : 'data'}`,
      size,
      usage: usageOf(random, sr, size),
    })
    attachDisk(ctx, random, record, vdi, position, running)
    disks.push({ vdi, sr })
  })
  const insertIso = random.chance(state === 'Halted' ? 0.08 : 0.03)
  attachCdDrive(ctx, random, record, insertIso ? random.pick(pool.isoVdis) : null, running)
  const nics = macs.map((mac, device): VmNic => {
    const network = device === 0 ? pool.managementNetwork : pool.dmzNetwork
    attachNic(ctx, random, record, network, {
      device,
      mac,
      attached: running,
      lockedTo: device === 1 ? dmzIp : undefined,
    })
    return { network, mac, device }
  })
  if (state === 'Suspended') {
    // The saved memory image (VDI_type suspend) lives on the pool's suspend SR.
    createVdi(ctx, random, pool.defaultSr, {
      name: 'Suspend image',
      description: `Memory of ${planned.name}`,
      size: memory + 16 * MiB,
      usage: memory + 16 * MiB,
      kind: 'suspend',
    })
  }

  const guest: GuestModel = { record, pool, host, os, role, env, disks, nics, tools }
  const snapshotCount = random.chance(env === 'prod' ? 0.12 : 0.22)
    ? random.int(1, env === 'prod' ? 2 : 3)
    : 0
  if (snapshotCount > 0) {
    const times = Array.from(
      { length: snapshotCount },
      // Never before the VM existed.
      () => ctx.nowSeconds - random.int(3600, Math.min(120 * DAY_S, ctx.nowSeconds - installTime)),
    ).sort((a, b) => a - b)
    let previous: string | undefined
    for (const time of times) previous = snapshotGuest(ctx, random, guest, time, previous)
    record.parent = previous
  }
  return guest
}

/** Builds `count` VMs over the pools; returns them with what later phases need to know. */
export function buildVms(
  ctx: LabContext,
  pools: readonly PoolModel[],
  templates: TemplateSet,
  people: People,
  count: number,
): GuestModel[] {
  const plan = planVms(ctx.random('vm-plan'), pools, count)
  const random = ctx.random('vms')
  return plan.map((planned) => buildVm(ctx, random, planned, templates, people))
}
