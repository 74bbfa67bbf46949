/**
 * VM snapshots: a halted copy of the VM (type `VM-snapshot`) whose VBDs point at VDI snapshots,
 * plus copies of its VIFs, as XAPI makes them. Links: VM.snapshots ↔ $snapshot_of,
 * VDI.snapshots ↔ VDI-snapshot.$snapshot_of (docs/xo-rest-api.md#what-objects-look-like).
 */
import {
  EMPTY_LIST,
  EMPTY_MAP,
  MiB,
  type LabContext,
  type VdiRecord,
  type VmRecord,
} from './common'
import { attachDisk, attachNic } from './devices'
import type { Random } from './random'
import type { GuestModel, VmDisk } from './vms'

const LABELS = ['before-upgrade', 'pre-patch', 'clean-install', 'before-migration', 'known-good']

function snapshotDisk(
  ctx: LabContext,
  random: Random,
  { vdi, sr }: VmDisk,
  time: number,
): VdiRecord {
  const uuid = random.uuid()
  const poolId = vdi.$pool as string
  const snapshot: VdiRecord = {
    type: 'VDI-snapshot',
    cbt_enabled: false,
    missing: false,
    name_description: vdi.name_description,
    name_label: vdi.name_label,
    size: vdi.size,
    snapshots: EMPTY_LIST,
    tags: EMPTY_LIST,
    // A snapshot only holds the blocks changed since: a few percent of the disk.
    usage: Math.round((vdi.size * random.between(0.005, 0.08)) / MiB) * MiB,
    VDI_type: 'user',
    current_operations: EMPTY_MAP,
    other_config: EMPTY_MAP,
    image_format: 'vhd',
    $SR: vdi.$SR,
    $VBDs: [],
    snapshot_time: time,
    $snapshot_of: vdi.id,
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  ctx.collections['vdi-snapshots'].push(snapshot)
  vdi.snapshots = [...vdi.snapshots, snapshot.id]
  sr.VDIs.push(snapshot.id)
  return snapshot
}

/** Snapshots `guest` at `time` (s); returns the snapshot id. `previous` is the snapshot before. */
export function snapshotGuest(
  ctx: LabContext,
  random: Random,
  guest: GuestModel,
  time: number,
  previous: string | undefined,
): string {
  const vm = guest.record
  const date = new Date(time * 1000).toISOString().slice(0, 10)
  const localDisk = guest.disks.some(({ sr }) => !sr.shared)
  const uuid = random.uuid()
  const poolId = vm.$pool as string
  const snapshot: VmRecord = {
    type: 'VM-snapshot',
    addresses: EMPTY_MAP,
    auto_poweron: vm.auto_poweron,
    bios_strings: vm.bios_strings,
    blockedOperations: EMPTY_MAP,
    boot: vm.boot,
    CPUs: { ...(vm.CPUs as object) },
    creation: { ...(vm.creation as object) },
    current_operations: EMPTY_MAP,
    expNestedHvm: false,
    isNestedVirtEnabled: false,
    viridian: vm.viridian,
    high_availability: vm.high_availability,
    isFirmwareSupported: true,
    memory: { dynamic: vm.memory.dynamic, static: vm.memory.static, size: vm.memory.size },
    installTime: vm.installTime,
    name_description: '',
    name_label: `${vm.name_label}_${random.pick(LABELS)}-${date}`,
    needsVtpm: vm.needsVtpm,
    other: EMPTY_MAP,
    os_version: null,
    power_state: 'Halted',
    hasVendorDevice: false,
    snapshots: EMPTY_LIST,
    startDelay: 0,
    startTime: null,
    secureBoot: vm.secureBoot,
    tags: [...vm.tags],
    VIFs: [],
    VTPMs: vm.VTPMs,
    virtualizationMode: 'hvm',
    // Not resident anywhere: the pool, unless a disk is on a host's local SR (xapi-object-to-xo).
    $container: localDisk && guest.host ? guest.host.record.id : guest.pool.record.id,
    $VBDs: [],
    VGPUs: EMPTY_LIST,
    $VGPUs: EMPTY_LIST,
    xenStoreData: vm.xenStoreData,
    vga: vm.vga,
    videoram: vm.videoram,
    $snapshot_of: vm.id,
    snapshot_time: time,
    id: uuid,
    uuid,
    $pool: poolId,
    $poolId: poolId,
    _xapiRef: random.opaqueRef(),
  }
  if (previous !== undefined) snapshot.parent = previous
  if (vm.coresPerSocket !== undefined) snapshot.coresPerSocket = vm.coresPerSocket
  ctx.collections['vm-snapshots'].push(snapshot)
  vm.snapshots = [...vm.snapshots, snapshot.id]

  guest.disks.forEach((disk, position) => {
    attachDisk(ctx, random, snapshot, snapshotDisk(ctx, random, disk, time), position, false)
  })
  for (const nic of guest.nics) {
    attachNic(ctx, random, snapshot, nic.network, {
      device: nic.device,
      mac: nic.mac,
      attached: false,
    })
  }
  return snapshot.id
}
