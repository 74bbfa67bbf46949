/**
 * Virtual devices shared by VMs, templates and snapshots: disks (VDI + VBD), CD drives and NICs
 * (VIF). Each helper records both ends of every link (docs/xo-rest-api.md#what-objects-look-like):
 * SR.VDIs ↔ VDI.$SR, VM.$VBDs ↔ VBD.VM, VDI.$VBDs ↔ VBD.VDI, VM.VIFs ↔ VIF.$VM,
 * network.VIFs ↔ VIF.$network.
 * The identity fields are spelled out rather than spread: on these hot paths V8 then keeps every
 * field inside the object, which saves time and memory in 100,000-VM labs.
 */
import {
  EMPTY_LIST,
  EMPTY_MAP,
  type LabContext,
  type NetworkRecord,
  type SrRecord,
  type VdiRecord,
  type VmRecord,
} from './common'
import type { Random } from './random'

export interface DiskSpec {
  name: string
  description?: string
  size: number
  usage: number
  kind?: 'user' | 'system' | 'suspend'
}

export function createVdi(
  ctx: LabContext,
  random: Random,
  sr: SrRecord,
  spec: DiskSpec,
): VdiRecord {
  const uuid = random.uuid()
  const poolId = sr.$pool as string
  const vdi: VdiRecord = {
    type: 'VDI',
    cbt_enabled: false,
    missing: false,
    name_description: spec.description ?? 'Created by XO',
    name_label: spec.name,
    size: spec.size,
    snapshots: EMPTY_LIST,
    tags: EMPTY_LIST,
    usage: spec.usage,
    VDI_type: spec.kind ?? 'user',
    current_operations: EMPTY_MAP,
    other_config: EMPTY_MAP,
    image_format: 'vhd',
    // Completed once snapshots are known: the whole VHD chain's footprint.
    chainPhysicalUsage: spec.usage,
    $SR: sr.id,
    $VBDs: [],
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  ctx.collections.vdis.push(vdi)
  sr.VDIs.push(vdi.id)
  return vdi
}

/** Linux-style device names XAPI gives VBDs: position 0 is xvda, 3 is the CD drive (xvdd). */
const DEVICES = ['xvda', 'xvdb', 'xvdc', 'xvdd', 'xvde', 'xvdf', 'xvdg', 'xvdh']

export function attachDisk(
  ctx: LabContext,
  random: Random,
  vm: VmRecord,
  vdi: VdiRecord,
  position: number,
  attached: boolean,
): void {
  const uuid = random.uuid()
  const poolId = vm.$pool as string
  const vbd = {
    type: 'VBD',
    attached,
    bootable: position === 0,
    device: DEVICES[position] ?? null,
    is_cd_drive: false,
    position: String(position),
    read_only: false,
    VDI: vdi.id,
    VM: vm.id,
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  ctx.collections.vbds.push(vbd)
  vm.$VBDs.push(vbd.id)
  vdi.$VBDs.push(vbd.id)
}

/**
 * A CD drive, empty or holding an ISO. An empty drive has no `VDI` at all (not null: the spec's VBD
 * schema makes it optional; docs/xo-rest-api.md#quirks-of-0390).
 */
export function attachCdDrive(
  ctx: LabContext,
  random: Random,
  vm: VmRecord,
  iso: VdiRecord | null,
  attached: boolean,
): void {
  const uuid = random.uuid()
  const poolId = vm.$pool as string
  const vbd: Record<string, unknown> & { id: string } = {
    type: 'VBD',
    attached,
    bootable: false,
    device: 'xvdd',
    is_cd_drive: true,
    position: '3',
    read_only: true,
    VM: vm.id,
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  if (iso) {
    vbd.VDI = iso.id
    iso.$VBDs.push(vbd.id)
  }
  ctx.collections.vbds.push(vbd)
  vm.$VBDs.push(vbd.id)
}

export interface NicSpec {
  device: number
  mac: string
  attached: boolean
  /** Anti-spoofing: only these addresses may leave the VIF. */
  lockedTo?: string
}

export function attachNic(
  ctx: LabContext,
  random: Random,
  vm: VmRecord,
  network: NetworkRecord,
  spec: NicSpec,
): void {
  const uuid = random.uuid()
  const poolId = vm.$pool as string
  const vif = {
    type: 'VIF',
    allowedIpv4Addresses: spec.lockedTo === undefined ? EMPTY_LIST : [spec.lockedTo],
    allowedIpv6Addresses: EMPTY_LIST,
    attached: spec.attached,
    device: String(spec.device),
    lockingMode: spec.lockedTo === undefined ? 'network_default' : 'locked',
    MAC: spec.mac,
    MTU: network.MTU,
    other_config: EMPTY_MAP,
    txChecksumming: true,
    $network: network.id,
    $VM: vm.id,
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  ctx.collections.vifs.push(vif)
  vm.VIFs.push(vif.id)
  network.VIFs.push(vif.id)
}
