import { randomUUID } from 'node:crypto'
import { XapiError } from './http/xo-errors'
import type { CollectionName, XoRecord } from './lab/types'
import type { Simulation } from './simulation'

/**
 * Changes to the lab that several routes share (actions, DELETE, imports), keeping every link
 * bidirectional as XO's objects are (docs/xo-rest-api.md#what-objects-look-like).
 */

export type PowerState = 'Running' | 'Halted' | 'Paused' | 'Suspended'

const ids = (r: XoRecord | undefined, key: string): string[] =>
  (r?.[key] as string[] | undefined) ?? []

function newXapiIds(): { id: string; uuid: string; _xapiRef: string } {
  const uuid = randomUUID()
  return { id: uuid, uuid, _xapiRef: `OpaqueRef:${randomUUID()}` }
}

/** XAPI's refusal of a power action in the wrong state: VM_BAD_POWER_STATE(ref, expected, actual). */
export function assertPowerState(vm: XoRecord, allowed: PowerState[]): void {
  const actual = vm['power_state'] as PowerState
  if (!allowed.includes(actual)) {
    throw new XapiError('VM_BAD_POWER_STATE', [
      String(vm['_xapiRef'] ?? vm.id),
      (allowed[0] ?? 'halted').toLowerCase(),
      actual.toLowerCase(),
    ])
  }
}

/** A running host of the VM's pool to start it on: the given one, else the pool master. */
export function hostFor(sim: Simulation, vm: XoRecord, hostId?: string): XoRecord {
  if (hostId !== undefined) {
    const host = sim.store.get('hosts', hostId)
    if (!host) throw new XapiError('HANDLE_INVALID', ['host', hostId])
    return host
  }
  const pool = sim.store.get('pools', vm['$pool'] as string)
  const master = sim.store.get('hosts', pool?.['master'] as string)
  const running = [...sim.store.list('hosts')].find(
    (h) => h['$pool'] === vm['$pool'] && h['power_state'] === 'Running',
  )
  const host = master?.['power_state'] === 'Running' ? master : running
  if (!host) throw new XapiError('NO_HOSTS_AVAILABLE', [])
  return host
}

function setResident(
  sim: Simulation,
  hostId: string | undefined,
  vmId: string,
  resident: boolean,
): void {
  const host = hostId ? sim.store.get('hosts', hostId) : undefined
  if (!host) return
  const current = ids(host, 'residentVms')
  const next = resident ? [...new Set([...current, vmId])] : current.filter((id) => id !== vmId)
  if (next.length !== current.length) sim.store.update('hosts', host.id, { residentVms: next })
}

/**
 * Moves a VM to a power state: `$container` is its host while it runs, its pool when halted
 * (docs/xo-rest-api.md#what-objects-look-like).
 */
export function setVmPower(
  sim: Simulation,
  vmId: string,
  state: PowerState,
  hostId?: string,
): XoRecord {
  const vm = sim.store.get('vms', vmId)
  if (!vm) throw new XapiError('HANDLE_INVALID', ['VM', vmId])
  const wasOn = vm['power_state'] !== 'Halted'
  const previousHost = wasOn ? (vm['$container'] as string) : undefined
  if (state === 'Halted') {
    setResident(sim, previousHost, vm.id, false)
    return sim.store.update('vms', vm.id, {
      power_state: 'Halted',
      $container: vm['$pool'],
      startTime: null,
      addresses: {},
      mainIpAddress: undefined,
      current_operations: {},
    })
  }
  const host =
    wasOn && hostId === undefined
      ? sim.store.get('hosts', previousHost ?? '')
      : hostFor(sim, vm, hostId)
  if (!host) throw new XapiError('NO_HOSTS_AVAILABLE', [])
  if (previousHost && previousHost !== host.id) setResident(sim, previousHost, vm.id, false)
  setResident(sim, host.id, vm.id, true)
  const starting = !wasOn
  const octet = (parseInt(vm.id.slice(0, 2), 16) % 200) + 20
  return sim.store.update('vms', vm.id, {
    power_state: state,
    $container: host.id,
    ...(starting
      ? {
          startTime: sim.nowSeconds(),
          addresses: vm['pvDriversDetected'] ? { '0/ipv4/0': `10.0.${octet % 50}.${octet}` } : {},
          ...(vm['pvDriversDetected'] ? { mainIpAddress: `10.0.${octet % 50}.${octet}` } : {}),
        }
      : {}),
  })
}

/** Copies a VM's disks and the VBDs attaching them to `target`, as snapshots or as new VDIs. */
function copyDisks(
  sim: Simulation,
  source: XoRecord,
  targetId: string,
  asSnapshots: boolean,
  srId?: string,
): string[] {
  const vbdIds: string[] = []
  for (const vbdId of ids(source, '$VBDs')) {
    const vbd = sim.store.get('vbds', vbdId)
    if (!vbd) continue
    let vdiId: string | null = null
    const vdi = typeof vbd['VDI'] === 'string' ? sim.store.get('vdis', vbd['VDI']) : undefined
    if (vdi) {
      const copy = newXapiIds()
      const collection: CollectionName = asSnapshots ? 'vdi-snapshots' : 'vdis'
      const sr = srId ?? (vdi['$SR'] as string)
      sim.store.insert(collection, {
        ...vdi,
        ...copy,
        type: asSnapshots ? 'VDI-snapshot' : 'VDI',
        $SR: sr,
        $VBDs: [],
        snapshots: [],
        ...(asSnapshots ? { $snapshot_of: vdi.id, snapshot_time: sim.nowSeconds() } : {}),
      })
      if (asSnapshots)
        sim.store.update('vdis', vdi.id, { snapshots: [...ids(vdi, 'snapshots'), copy.id] })
      const srRecord = sim.store.get('srs', sr)
      if (srRecord) sim.store.update('srs', sr, { VDIs: [...ids(srRecord, 'VDIs'), copy.id] })
      vdiId = copy.id
    } else if (typeof vbd['VDI'] === 'string') vdiId = vbd['VDI'] // ISO stays attached
    const newVbd = newXapiIds()
    sim.store.insert('vbds', { ...vbd, ...newVbd, VM: targetId, VDI: vdiId, attached: false })
    if (vdiId) {
      const owner = sim.store.locate(vdiId, ['vdis', 'vdi-snapshots'])
      const disk = owner ? sim.store.get(owner, vdiId) : undefined
      if (owner && disk)
        sim.store.update(owner, vdiId, { $VBDs: [...ids(disk, '$VBDs'), newVbd.id] })
    }
    vbdIds.push(newVbd.id)
  }
  return vbdIds
}

/** `POST /vms/{id}/actions/snapshot`: a VM-snapshot with snapshots of the disks. */
export function snapshotVm(sim: Simulation, vmId: string, nameLabel?: string): XoRecord {
  const vm = sim.store.get('vms', vmId) as XoRecord
  const snap = newXapiIds()
  const time = sim.nowSeconds()
  const record = sim.store.insert('vm-snapshots', {
    ...vm,
    ...snap,
    type: 'VM-snapshot',
    name_label: nameLabel ?? `${String(vm['name_label'])}_${new Date(time * 1000).toISOString()}`,
    power_state: 'Halted',
    $container: vm['$pool'],
    $snapshot_of: vm.id,
    snapshot_time: time,
    snapshots: [],
    VIFs: [],
    $VBDs: [],
    current_operations: {},
  })
  const vbds = copyDisks(sim, vm, snap.id, true)
  sim.store.update('vm-snapshots', snap.id, { $VBDs: vbds })
  sim.store.update('vms', vm.id, { snapshots: [...ids(vm, 'snapshots'), snap.id] })
  return record
}

/** `clone` / create from a template: a halted VM with copies of the source's disks. */
export function cloneVm(
  sim: Simulation,
  source: XoRecord,
  options: { nameLabel: string; poolId?: string; srId?: string; extra?: Record<string, unknown> },
): XoRecord {
  const copy = newXapiIds()
  const poolId = options.poolId ?? (source['$pool'] as string)
  sim.store.insert('vms', {
    ...source,
    ...copy,
    type: 'VM',
    name_label: options.nameLabel,
    power_state: 'Halted',
    $pool: poolId,
    $poolId: poolId,
    $container: poolId,
    snapshots: [],
    VIFs: [],
    $VBDs: [],
    tags: [...ids(source, 'tags')],
    startTime: null,
    installTime: sim.nowSeconds(),
    addresses: {},
    current_operations: {},
    blockedOperations: {},
    isDefaultTemplate: undefined,
    template_info: undefined,
    $snapshot_of: undefined,
    snapshot_time: undefined,
    ...options.extra,
  })
  const vbds = copyDisks(sim, source, copy.id, false, options.srId)
  return sim.store.update('vms', copy.id, { $VBDs: vbds })
}

/**
 * Removes a VM-like object with its VBDs and (for VMs and snapshots) its own disks
 * (`DELETE /vms/{id}`, docs/xo-rest-api.md#single-objects-patch-and-delete).
 */
export function destroyVm(sim: Simulation, collection: CollectionName, vmId: string): void {
  const vm = sim.store.get(collection, vmId)
  if (!vm) return
  if (vm['power_state'] !== 'Halted') setResident(sim, vm['$container'] as string, vm.id, false)
  for (const vbdId of ids(vm, '$VBDs')) {
    const vbd = sim.store.remove('vbds', vbdId)
    const vdiId = vbd?.['VDI']
    if (typeof vdiId !== 'string') continue
    const owner = sim.store.locate(vdiId, ['vdis', 'vdi-snapshots'])
    const disk = owner ? sim.store.get(owner, vdiId) : undefined
    if (owner && disk && disk['VDI_type'] !== 'iso' && !String(disk['name_label']).endsWith('.iso'))
      destroyVdi(sim, owner, vdiId)
  }
  for (const vifId of ids(vm, 'VIFs')) sim.store.remove('vifs', vifId)
  const parent = vm['$snapshot_of']
  if (typeof parent === 'string') {
    const origin = sim.store.get('vms', parent)
    if (origin)
      sim.store.update('vms', parent, {
        snapshots: ids(origin, 'snapshots').filter((s) => s !== vmId),
      })
  }
  sim.store.remove(collection, vmId)
}

/** Removes a VDI and its links from its SR and VBDs. */
export function destroyVdi(sim: Simulation, collection: CollectionName, vdiId: string): void {
  const vdi = sim.store.remove(collection, vdiId)
  if (!vdi) return
  const sr = sim.store.get('srs', vdi['$SR'] as string)
  if (sr) sim.store.update('srs', sr.id, { VDIs: ids(sr, 'VDIs').filter((id) => id !== vdiId) })
  for (const vbdId of ids(vdi, '$VBDs')) {
    const vbd = sim.store.get('vbds', vbdId)
    if (vbd) sim.store.update('vbds', vbdId, { VDI: null })
  }
}

/** A new VDI on an SR (creation route, imports, VDI migrate). */
export function createVdi(
  sim: Simulation,
  srId: string,
  fields: { name_label: string; name_description?: string; size: number; usage?: number },
): XoRecord {
  const sr = sim.store.get('srs', srId) as XoRecord
  const created = newXapiIds()
  const record = sim.store.insert('vdis', {
    ...created,
    type: 'VDI',
    name_label: fields.name_label,
    name_description: fields.name_description ?? '',
    size: fields.size,
    usage: fields.usage ?? fields.size,
    VDI_type: 'user',
    $SR: srId,
    $VBDs: [],
    snapshots: [],
    cbt_enabled: false,
    missing: false,
    other_config: {},
    tags: [],
    current_operations: {},
    $pool: sr['$pool'],
    $poolId: sr['$pool'],
    parent: undefined,
    image_format: 'vhd',
  })
  sim.store.update('srs', srId, { VDIs: [...ids(sr, 'VDIs'), created.id] })
  return record
}

export { newXapiIds }
