/**
 * Storage of a pool (shaped as @xen-orchestra/rest-api 0.39.0, dist/open-api/oa-examples/
 * {sr,pbd,vdi,sm}.oa-example.mjs): SRs with one PBD per host that sees them, the ISO library with
 * its images, HA's own volumes and the storage drivers (SMs). Shared SRs belong to the pool,
 * local ones to their host.
 */
import { ISO_IMAGES, SM_DRIVERS } from './catalog'
import {
  EMPTY_LIST,
  EMPTY_MAP,
  MiB,
  TiB,
  xapiIdentity,
  type HostRecord,
  type LabContext,
  type SrRecord,
  type VdiRecord,
  type VmRecord,
} from './common'
import type { PoolModel } from './infrastructure'
import type { Random } from './random'

export interface SrSpec {
  name: string
  description?: string
  srType: string
  contentType: 'user' | 'iso' | 'disk'
  shared: boolean
  size: number
  allocation?: 'thin' | 'thick'
  container: string
  smConfig?: Readonly<Record<string, string>>
  otherConfig?: Readonly<Record<string, string>>
  tags?: string[]
}

export function storageRepository(
  ctx: LabContext,
  random: Random,
  poolId: string,
  spec: SrSpec,
): SrRecord {
  const record: SrRecord = {
    type: 'SR',
    content_type: spec.contentType,
    physical_usage: 0,
    current_operations: EMPTY_MAP,
    inMaintenanceMode: false,
    name_description: spec.description ?? '',
    name_label: spec.name,
    size: spec.size,
    shared: spec.shared,
    SR_type: spec.srType,
    tags: spec.tags ?? [],
    usage: 0,
    VDIs: [],
    other_config: spec.otherConfig ?? EMPTY_MAP,
    sm_config: spec.smConfig ?? EMPTY_MAP,
    // Shared SRs belong to the pool, local ones to the host of their only PBD (xo-server's
    // xapi-object-to-xo.mjs; docs/xo-rest-api.md#what-objects-look-like).
    $container: spec.container,
    $PBDs: [],
    ...xapiIdentity(random, poolId),
  }
  // XO only knows the allocation of block/file SR types; ISO SRs have none.
  if (spec.allocation) record.allocationStrategy = spec.allocation
  ctx.collections.srs.push(record)
  return record
}

export function plugSr(
  ctx: LabContext,
  random: Random,
  host: HostRecord,
  dom0: VmRecord,
  sr: SrRecord,
  deviceConfig: Readonly<Record<string, string>>,
): void {
  const pbd = {
    type: 'PBD',
    attached: true,
    host: host.id,
    SR: sr.id,
    device_config: deviceConfig,
    otherConfig: { storage_driver_domain: dom0._xapiRef },
    ...xapiIdentity(random, sr.$pool as string),
  }
  ctx.collections.pbds.push(pbd)
  host.$PBDs.push(pbd.id)
  sr.$PBDs.push(pbd.id)
}

export function storageDrivers(ctx: LabContext, random: Random, poolId: string): void {
  for (const driver of SM_DRIVERS) {
    ctx.collections.sms.push({
      type: 'SM',
      name_description: driver.description,
      name_label: driver.name,
      SM_type: driver.type,
      configuration: driver.configuration,
      vendor: driver.vendor,
      features: driver.features,
      driver_filename: driver.driver,
      required_cluster_stack: EMPTY_LIST,
      supported_image_formats: driver.imageFormats,
      ...xapiIdentity(random, poolId),
    })
  }
}

export function isoLibrary(
  ctx: LabContext,
  random: Random,
  pool: PoolModel,
  nas: string,
): SrRecord {
  const sr = storageRepository(ctx, random, pool.record.id, {
    name: 'NFS ISO library',
    description: 'Installation media',
    srType: 'iso',
    contentType: 'iso',
    shared: true,
    size: 2 * TiB,
    container: pool.record.id,
  })
  for (const image of ISO_IMAGES) {
    const vdi: VdiRecord = {
      type: 'VDI',
      cbt_enabled: false,
      missing: false,
      name_description: '',
      name_label: image.file,
      size: image.sizeBytes,
      snapshots: EMPTY_LIST,
      tags: EMPTY_LIST,
      usage: image.sizeBytes,
      VDI_type: 'user',
      current_operations: EMPTY_MAP,
      other_config: EMPTY_MAP,
      $SR: sr.id,
      $VBDs: [],
      ...xapiIdentity(random, pool.record.id),
    }
    ctx.collections.vdis.push(vdi)
    sr.VDIs.push(vdi.id)
    pool.isoVdis.push(vdi)
  }
  for (const host of pool.hosts) {
    plugSr(ctx, random, host.record, host.dom0, sr, {
      location: `${nas}:/mnt/tank/iso`,
      type: 'nfs_iso',
    })
  }
  return sr
}

/** HA keeps its state on a shared block SR: a statefile and a metadata volume (XAPI's HA VDIs). */
export function haVolumes(ctx: LabContext, random: Random, sr: SrRecord): void {
  for (const [name, kind, size] of [
    ['Statefile for HA', 'ha_statefile', 4 * MiB],
    ['Metadata for HA', 'redo_log', 256 * MiB],
  ] as const) {
    const vdi: VdiRecord = {
      type: 'VDI',
      cbt_enabled: false,
      missing: false,
      name_description: 'Used for storage heartbeating',
      name_label: name,
      size,
      snapshots: EMPTY_LIST,
      tags: EMPTY_LIST,
      usage: size,
      VDI_type: kind,
      current_operations: EMPTY_MAP,
      other_config: EMPTY_MAP,
      $SR: sr.id,
      $VBDs: [],
      ...xapiIdentity(random, sr.$pool as string),
    }
    ctx.collections.vdis.push(vdi)
    sr.VDIs.push(vdi.id)
  }
}
