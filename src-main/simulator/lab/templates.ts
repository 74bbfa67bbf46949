/**
 * VM templates: XCP-ng's default ones in every pool, plus a few golden images the admins made.
 * Default templates share one uuid across pools, so XO scopes their id by pool:
 * `<pool uuid>-<template uuid>` (xo-server's packages/xo-server/src/xapi-object-to-xo.mjs in
 * vatesfr/xen-orchestra; docs/xo-rest-api.md#what-objects-look-like).
 */
import { DEFAULT_TEMPLATES, type DefaultTemplate } from './catalog'
import {
  DAY_MS,
  deepFreeze,
  EMPTY_LIST,
  EMPTY_MAP,
  GiB,
  isoDate,
  MiB,
  type LabContext,
  type VmRecord,
} from './common'
import { attachCdDrive, attachDisk, attachNic, createVdi } from './devices'
import type { PoolModel } from './infrastructure'
import type { XoRecord } from './types'

export interface TemplateSet {
  /** Default template uuid by template name (the same in every pool). */
  defaultUuids: ReadonlyMap<string, string>
  /** Custom templates by pool id. */
  custom: ReadonlyMap<string, readonly VmRecord[]>
}

export const BOOT_BIOS = deepFreeze({ firmware: 'bios', order: 'cd' })
export const BOOT_UEFI = deepFreeze({ firmware: 'uefi', order: 'cd' })
export const WINDOWS_XENSTORE = deepFreeze({ 'vm-data': '', 'vm-data/mmio-hole-size': '268435456' })
export const LINUX_XENSTORE = deepFreeze({ 'vm-data': '' })

/** Memory ranges as XAPI stores them: static minimum at half the size, dynamic pinned at the size. */
const memoryRanges = new Map<number, { dynamic: readonly number[]; static: readonly number[] }>()
export function memoryOf(bytes: number): { dynamic: readonly number[]; static: readonly number[] } {
  let ranges = memoryRanges.get(bytes)
  if (!ranges) {
    ranges = deepFreeze({
      dynamic: [bytes, bytes],
      static: [Math.max(256 * MiB, bytes / 2), bytes],
    })
    memoryRanges.set(bytes, ranges)
  }
  return ranges
}

function disksXml(template: DefaultTemplate): string | undefined {
  if (template.diskGiB === null) return undefined
  return `<provision><disk bootable="true" device="0" size="${template.diskGiB * GiB}" sr="" type="system"/></provision>`
}

function defaultTemplate(
  ctx: LabContext,
  pool: PoolModel,
  template: DefaultTemplate,
  uuid: string,
  ref: string,
): void {
  const poolId = pool.record.id
  const memory = template.memoryGiB * GiB
  const other: Record<string, string> = {
    default_template: 'true',
    'install-methods': template.installMethods.join(','),
  }
  const xml = disksXml(template)
  if (xml) other.disks = xml
  if (template.family === 'linux') other.linux_template = 'true'
  const record: XoRecord = {
    type: 'VM-template',
    addresses: EMPTY_MAP,
    auto_poweron: false,
    bios_strings: EMPTY_MAP,
    blockedOperations: EMPTY_MAP,
    boot: template.firmware === 'uefi' ? BOOT_UEFI : BOOT_BIOS,
    CPUs: { max: template.cpus, number: template.cpus },
    creation: EMPTY_MAP,
    current_operations: EMPTY_MAP,
    expNestedHvm: false,
    isNestedVirtEnabled: false,
    viridian: template.family === 'windows',
    high_availability: '',
    isFirmwareSupported: true,
    memory: { ...memoryOf(memory), size: memory },
    installTime: null,
    name_description: template.description,
    name_label: template.name,
    needsVtpm: template.vtpm,
    other,
    os_version: null,
    power_state: 'Halted',
    hasVendorDevice: false,
    snapshots: EMPTY_LIST,
    startDelay: 0,
    startTime: null,
    secureBoot: false,
    tags: EMPTY_LIST,
    VIFs: EMPTY_LIST,
    VTPMs: EMPTY_LIST,
    virtualizationMode: 'hvm',
    $container: poolId,
    $VBDs: EMPTY_LIST,
    VGPUs: EMPTY_LIST,
    $VGPUs: EMPTY_LIST,
    xenStoreData: template.family === 'windows' ? WINDOWS_XENSTORE : LINUX_XENSTORE,
    vga: 'std',
    videoram: 8,
    isDefaultTemplate: true,
    template_info: {
      disks:
        template.diskGiB === null
          ? []
          : [{ bootable: true, device: '0', size: template.diskGiB * GiB, type: 'system', SR: '' }],
      install_methods: template.installMethods,
    },
    id: `${poolId}-${uuid}`,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: ref,
  }
  ctx.collections['vm-templates'].push(record)
}

interface GoldenImage {
  name: string
  description: string
  base: string
  diskGiB: number
  memoryGiB: number
  cpus: number
}

const GOLDEN_IMAGES: readonly GoldenImage[] = [
  {
    name: 'debian-12-cloudinit',
    description: 'Debian 12, cloud-init, hardened SSH',
    base: 'Debian Bookworm 12',
    diskGiB: 20,
    memoryGiB: 2,
    cpus: 2,
  },
  {
    name: 'ubuntu-24.04-k8s-node',
    description: 'Ubuntu 24.04 with containerd and kubeadm',
    base: 'Ubuntu Noble Numbat 24.04',
    diskGiB: 50,
    memoryGiB: 8,
    cpus: 4,
  },
  {
    name: 'ws2022-sysprep',
    description: 'Windows Server 2022, patched and sysprepped',
    base: 'Windows Server 2022 (64-bit)',
    diskGiB: 60,
    memoryGiB: 4,
    cpus: 2,
  },
]

function goldenImage(
  ctx: LabContext,
  pool: PoolModel,
  image: GoldenImage,
  baseUuid: string,
  adminId: string,
): VmRecord {
  const random = ctx.random(`templates/${pool.record.id}/${image.name}`)
  const poolId = pool.record.id
  const windows = image.base.startsWith('Windows')
  const memory = image.memoryGiB * GiB
  // Older than any VM made from it (VMs are at most ~3 years old).
  const created = ctx.now - random.int(1100, 1500) * DAY_MS
  const uuid = random.uuid()
  const creation = { date: isoDate(created), template: baseUuid, user: adminId }
  const record: VmRecord = {
    type: 'VM-template',
    addresses: EMPTY_MAP,
    auto_poweron: false,
    bios_strings: EMPTY_MAP,
    blockedOperations: EMPTY_MAP,
    boot: windows ? BOOT_UEFI : BOOT_BIOS,
    CPUs: { max: image.cpus, number: image.cpus },
    creation,
    current_operations: EMPTY_MAP,
    expNestedHvm: false,
    isNestedVirtEnabled: false,
    viridian: windows,
    high_availability: '',
    isFirmwareSupported: true,
    memory: { ...memoryOf(memory), size: memory },
    installTime: Math.floor(created / 1000),
    name_description: image.description,
    name_label: image.name,
    needsVtpm: false,
    other: {
      base_template_name: image.base,
      mac_seed: random.uuid(),
      [`xo:${uuid.slice(0, 8)}`]: JSON.stringify({ creation }),
    },
    os_version: null,
    power_state: 'Halted',
    hasVendorDevice: false,
    snapshots: EMPTY_LIST,
    startDelay: 0,
    startTime: null,
    secureBoot: windows,
    tags: ['golden'],
    VIFs: [],
    VTPMs: EMPTY_LIST,
    virtualizationMode: 'hvm',
    $container: poolId,
    $VBDs: [],
    VGPUs: EMPTY_LIST,
    $VGPUs: EMPTY_LIST,
    xenStoreData: windows ? WINDOWS_XENSTORE : LINUX_XENSTORE,
    vga: 'std',
    videoram: 8,
    isDefaultTemplate: false,
    // A template made from a VM has lost its provisioning XML (`disks`): nothing to provision.
    template_info: { disks: [], install_methods: windows ? ['cdrom'] : ['cdrom', 'nfs', 'http'] },
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  ctx.collections['vm-templates'].push(record)
  const size = image.diskGiB * GiB
  const vdi = createVdi(ctx, random, pool.defaultSr, {
    name: `${image.name}-disk`,
    description: image.description,
    size,
    usage: Math.round((size * random.between(0.2, 0.5)) / MiB) * MiB,
  })
  attachDisk(ctx, random, record, vdi, 0, false)
  attachCdDrive(ctx, random, record, null, false)
  attachNic(ctx, random, record, pool.managementNetwork, {
    device: 0,
    mac: random.mac(),
    attached: false,
  })
  return record
}

export function buildTemplates(
  ctx: LabContext,
  pools: readonly PoolModel[],
  adminId: string,
): TemplateSet {
  const shared = ctx.random('default-templates')
  const defaultUuids = new Map(DEFAULT_TEMPLATES.map((t) => [t.name, shared.uuid()]))
  const custom = new Map<string, VmRecord[]>()
  for (const pool of pools) {
    const refs = ctx.random(`default-templates/${pool.record.id}`)
    for (const template of DEFAULT_TEMPLATES) {
      defaultTemplate(ctx, pool, template, defaultUuids.get(template.name) ?? '', refs.opaqueRef())
    }
    // Small pools only keep the Debian image; the main ones have all three.
    const images = pool.plan.hostCount >= 3 ? GOLDEN_IMAGES : GOLDEN_IMAGES.slice(0, 1)
    custom.set(
      pool.record.id,
      images.map((image) =>
        goldenImage(ctx, pool, image, defaultUuids.get(image.base) ?? '', adminId),
      ),
    )
  }
  return { defaultUuids, custom }
}
