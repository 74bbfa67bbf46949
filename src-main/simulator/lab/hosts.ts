/**
 * Hosts (shaped as @xen-orchestra/rest-api 0.39.0, dist/open-api/oa-examples/host.oa-example.mjs):
 * an XCP-ng server with its control domain (a VM-controller), PIFs on the pool's networks, PCI
 * devices and GPUs, and its local storage (ext "Local storage" plus udev "DVD drives" and
 * "Removable storage").
 */
import { PASSTHROUGH_GPU, type HardwareModel } from './catalog'
import {
  counter,
  DAY_S,
  deepFreeze,
  EMPTY_LIST,
  EMPTY_MAP,
  GiB,
  MiB,
  xapiIdentity,
  type HostRecord,
  type LabContext,
  type NetworkRecord,
  type VmRecord,
} from './common'
import type { HostModel, PoolModel } from './infrastructure'
import type { Random } from './random'
import { plugSr, storageRepository } from './storage'

const LICENSE_PARAMS = deepFreeze({
  restrict_zstd_export: 'false',
  restrict_vtpm: 'false',
  restrict_pooling: 'false',
  restrict_xen_motion: 'false',
  restrict_cbt: 'false',
  enable_xha: 'true',
  sku_type: 'free',
})
const LICENSE_SERVER = deepFreeze({ address: 'localhost', port: '27000' })
const CPU_FLAGS =
  'fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse sse2 ht syscall nx ' +
  'lm constant_tsc rep_good nopl nonstop_tsc cpuid pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 ' +
  'movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm avx2 bmi1 bmi2'

/** XAPI's `cpu_info` (XO keeps it as the deprecated `CPUs`): strings, logical CPUs in cpu_count. */
function hostCpus(model: HardwareModel): Record<string, string> {
  return deepFreeze({
    cpu_count: String(model.sockets * model.coresPerSocket * 2),
    socket_count: String(model.sockets),
    threads_per_core: '2',
    vendor: model.cpuVendor,
    speed: model.cpuSpeed,
    modelname: model.cpuModel,
    family: model.cpuFamily,
    model: model.cpuModelNumber,
    stepping: model.cpuStepping,
    flags: CPU_FLAGS,
  })
}

function fingerprint(random: Random): string {
  return (random.hex(64).toUpperCase().match(/../g) ?? []).join(':')
}

function controlDomain(
  ctx: LabContext,
  random: Random,
  poolId: string,
  hostId: string,
  hostName: string,
  cpuCount: number,
  hostMemory: number,
): VmRecord {
  // dom0 gets about 1 GiB + 5% of the RAM, capped at 8 GiB, like XCP-ng's installer.
  const memory = Math.min(8 * GiB, Math.round((GiB + hostMemory * 0.05) / MiB) * MiB)
  const cpus = Math.min(16, cpuCount)
  const record: VmRecord = {
    type: 'VM-controller',
    addresses: EMPTY_MAP,
    affinityHost: hostId,
    auto_poweron: false,
    bios_strings: EMPTY_MAP,
    blockedOperations: EMPTY_MAP,
    boot: EMPTY_MAP,
    CPUs: { max: cpus, number: cpus },
    creation: EMPTY_MAP,
    current_operations: EMPTY_MAP,
    expNestedHvm: false,
    isNestedVirtEnabled: false,
    viridian: false,
    high_availability: '',
    isFirmwareSupported: true,
    memory: { dynamic: [memory, memory], static: [memory, memory], size: memory },
    installTime: null,
    name_description: 'The domain which manages physical devices and manages other domains',
    name_label: `Control domain on host: ${hostName}`,
    needsVtpm: false,
    other: { is_system_domain: 'true', storage_driver_domain: random.opaqueRef() },
    os_version: null,
    power_state: 'Running',
    hasVendorDevice: false,
    snapshots: EMPTY_LIST,
    startDelay: 0,
    startTime: null,
    secureBoot: false,
    tags: [],
    VIFs: [],
    VTPMs: EMPTY_LIST,
    virtualizationMode: 'pv',
    xenTools: false,
    $container: hostId,
    $VBDs: [],
    VGPUs: EMPTY_LIST,
    $VGPUs: EMPTY_LIST,
    xenStoreData: EMPTY_MAP,
    PV_args: '',
    ...xapiIdentity(random, poolId),
  }
  ctx.collections['vm-controllers'].push(record)
  return record
}

function pif(
  ctx: LabContext,
  random: Random,
  host: HostRecord,
  net: NetworkRecord,
  fields: Record<string, unknown>,
): void {
  const record = {
    type: 'PIF',
    attached: true,
    isBondMaster: false,
    isBondSlave: false,
    device: 'eth0',
    deviceName: '',
    dns: '',
    disallowUnplug: false,
    gateway: '',
    ip: '',
    ipv6: EMPTY_LIST,
    mac: random.mac(),
    management: false,
    carrier: true,
    mode: 'None',
    ipv6Mode: 'None',
    mtu: net.MTU,
    netmask: '',
    physical: true,
    primaryAddressType: 'IPv4',
    vlan: -1,
    speed: 10000,
    ...fields,
    $host: host.id,
    $network: net.id,
    ...xapiIdentity(random, host.$pool as string),
  }
  ctx.collections.pifs.push(record)
  host.PIFs.push(record.id)
  host.$PIFs.push(record.id)
  net.PIFs.push(record.id)
}

function pciDevices(
  ctx: LabContext,
  random: Random,
  host: HostRecord,
  model: HardwareModel,
  gpu: boolean,
): void {
  const devices = gpu ? [...model.pci, PASSTHROUGH_GPU] : model.pci
  for (const device of devices) {
    const pci = {
      type: 'PCI',
      class_name: device.className,
      device_name: device.deviceName,
      pci_id: device.slot,
      $host: host.id,
      ...xapiIdentity(random, host.$pool as string),
    }
    ctx.collections.pcis.push(pci)
    host.PCIs.push(pci.id)
    host.$PCIs.push(pci.id)
    const isConsole = device.className === 'VGA compatible controller'
    if (!isConsole && device !== PASSTHROUGH_GPU) continue
    const pgpu = {
      type: 'PGPU',
      // The console GPU stays with dom0; the Tesla is hidden from it for passthrough.
      dom0Access: isConsole ? 'enabled' : 'disabled',
      enabledVgpuTypes: EMPTY_LIST,
      gpuGroup: random.uuid(),
      isSystemDisplayDevice: isConsole,
      pci: pci.id,
      supportedVgpuTypes: EMPTY_LIST,
      host: host.id,
      $host: host.id,
      vgpus: EMPTY_LIST,
      $vgpus: EMPTY_LIST,
      ...xapiIdentity(random, host.$pool as string),
    }
    ctx.collections.pgpus.push(pgpu)
    host.PGPUs.push(pgpu.id)
    host.$PGPUs.push(pgpu.id)
  }
}

export function buildHost(
  ctx: LabContext,
  random: Random,
  pool: PoolModel,
  model: HardwareModel,
  i: number,
): HostModel {
  const poolId = pool.record.id
  const name = `xcp-${pool.plan.hostPrefix}-${counter(i + 1)}`
  const address = `10.${pool.subnet}.0.${11 + i}`
  const bootTime = ctx.nowSeconds - random.int(3, 120) * DAY_S - random.int(0, DAY_S)
  // XCP-ng flags a reboot when patches were installed after the last boot.
  const patchedAfterBoot = pool.plan.profile === 'production' && i === 1
  const patchTime = patchedAfterBoot
    ? bootTime + random.int(1, 3) * DAY_S
    : bootTime - random.int(2, 30) * DAY_S
  const iqn = `iqn.2024-05.local.lab:${random.hex(8)}`
  const serial = random.hex(10).toUpperCase()
  const memoryGiB = random.pick(model.memoryGiB)
  const cpuCount = model.sockets * model.coresPerSocket * 2
  const uuid = random.uuid()
  const record: HostRecord = {
    CPUs: hostCpus(model),
    address,
    bios_strings: {
      'bios-vendor': model.biosVendor,
      'bios-version': model.biosVersion,
      'system-manufacturer': model.manufacturer,
      'system-product-name': model.product,
      'system-version': '',
      'system-serial-number': serial,
      'baseboard-manufacturer': model.manufacturer,
      'baseboard-product-name': model.product,
      'oem-1': 'Xen',
    },
    build: '8.3.0',
    chipset_info: { iommu: true },
    enabled: true,
    controlDomain: '',
    cpus: { cores: cpuCount, sockets: model.sockets },
    current_operations: EMPTY_MAP,
    hostname: name,
    iscsiIqn: iqn,
    zstdSupported: true,
    license_params: LICENSE_PARAMS,
    license_server: LICENSE_SERVER,
    license_expiry: null,
    logging: EMPTY_MAP,
    name_description: `${model.manufacturer} ${model.product}`,
    name_label: name,
    memory: { usage: 0, size: memoryGiB * GiB },
    multipathing: pool.plan.profile === 'production',
    otherConfig: {
      agent_start_time: `${bootTime + 70}.`,
      boot_time: `${bootTime}.`,
      rpm_patch_installation_time: `${patchTime}.512`,
      iscsi_iqn: iqn,
    },
    patches: EMPTY_LIST,
    powerOnMode: '',
    power_state: 'Running',
    residentVms: [],
    startTime: bootTime,
    supplementalPacks: EMPTY_LIST,
    agentStartTime: bootTime + 70,
    rebootRequired: patchedAfterBoot,
    tags: [],
    version: '8.3.0',
    productBrand: 'XCP-ng',
    hvmCapable: true,
    // Self-signed host certificates last ten years (XAPI's default); notAfter in seconds.
    certificates: [{ fingerprint: fingerprint(random), notAfter: bootTime + 3650 * DAY_S }],
    PIFs: [],
    $PIFs: [],
    PCIs: [],
    $PCIs: [],
    PGPUs: [],
    $PGPUs: [],
    $PBDs: [],
    type: 'host',
    ...xapiIdentity(random, poolId, uuid),
  }
  ctx.collections.hosts.push(record)
  const dom0 = controlDomain(ctx, random, poolId, uuid, name, cpuCount, memoryGiB * GiB)
  record.controlDomain = dom0.id
  record.residentVms.push(dom0.id)

  pif(ctx, random, record, pool.managementNetwork, {
    device: 'eth0',
    deviceName: model.nicName,
    management: true,
    mode: 'Static',
    ip: address,
    netmask: '255.255.255.0',
    gateway: `10.${pool.subnet}.0.1`,
    dns: `10.${pool.subnet}.0.2`,
    disallowUnplug: true,
  })
  pif(ctx, random, record, pool.storageNetwork, {
    device: 'eth1',
    deviceName: model.nicName,
    mode: 'Static',
    ip: `10.${pool.subnet}.1.${11 + i}`,
    netmask: '255.255.255.0',
  })
  pif(ctx, random, record, pool.dmzNetwork, {
    device: 'eth0',
    physical: false,
    vlan: 20,
    speed: 10000,
  })
  pciDevices(ctx, random, record, model, pool.plan.profile === 'production' && i === 0)

  const localSr = storageRepository(ctx, random, poolId, {
    name: 'Local storage',
    srType: 'ext',
    contentType: 'user',
    shared: false,
    size: model.localDiskGiB * GiB,
    allocation: 'thin',
    container: record.id,
    smConfig: { devserial: `scsi-3${random.hex(16)}` },
    otherConfig: { 'i18n-key': 'local-storage', 'i18n-original-value-name_label': 'Local storage' },
  })
  plugSr(ctx, random, record, dom0, localSr, {
    device: `/dev/disk/by-id/scsi-3${random.hex(16)}-part3`,
  })
  for (const [label, key, content, location] of [
    ['DVD drives', 'local-hotplug-cd', 'iso', '/dev/xapi/cd'],
    ['Removable storage', 'local-hotplug-disk', 'disk', '/dev/xapi/block'],
  ] as const) {
    const sr = storageRepository(ctx, random, poolId, {
      name: label,
      description: content === 'iso' ? 'Physical DVD drives' : 'Physical removable storage',
      srType: 'udev',
      contentType: content,
      shared: false,
      size: 0,
      allocation: 'thick',
      container: record.id,
      smConfig: { type: content === 'iso' ? 'cd' : 'block' },
      otherConfig: { 'i18n-key': key, 'i18n-original-value-name_label': label },
    })
    plugSr(ctx, random, record, dom0, sr, { location })
  }
  return {
    record,
    pool,
    localSr,
    dom0,
    freeMemory: record.memory.size - dom0.memory.size,
    freeLocalDisk: localSr.size * 0.9,
  }
}
