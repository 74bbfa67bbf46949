// A small simulated lab for export tests: a VM whose disks are shrunk so that whole exports take
// milliseconds, and the sidecar source each export describes.
import { startSimulator, type RunningSimulator } from '../simulator'
import type { ExportSource } from '../transfers/sidecar'

type XoRecord = NonNullable<ReturnType<RunningSimulator['lab']['store']['get']>>

/** The VDIs a VM reaches through its VBDs, as `GET /vms/{id}/vdis` lists them. */
function vdisOf(sim: RunningSimulator, vm: XoRecord): XoRecord[] {
  const out: XoRecord[] = []
  for (const vbdId of (vm['$VBDs'] as string[] | undefined) ?? []) {
    const vdiId = sim.lab.store.get('vbds', vbdId)?.['VDI']
    const vdi = typeof vdiId === 'string' ? sim.lab.store.get('vdis', vdiId) : undefined
    if (vdi) out.push(vdi)
  }
  return out
}

export interface ExportLab {
  sim: RunningSimulator
  vm: XoRecord
  vdi: XoRecord
  vmSource: ExportSource
  vdiSource: ExportSource
}

/** Starts a simulator (Demo-lab-like seed) and picks a VM with disks of `diskBytes` each. */
export async function startExportLab(
  diskBytes = 8 * 1024 * 1024,
  diskDataBytes = 1024 * 1024,
): Promise<ExportLab> {
  const sim = await startSimulator({
    seed: 'exports',
    life: false,
    actionDelayMs: 5,
    diskDataBytes,
  })
  const vm = [...sim.lab.store.list('vms')].find((v) => vdisOf(sim, v).length > 0)
  if (!vm) throw new Error('the lab has no VM with disks')
  for (const record of vdisOf(sim, vm)) sim.lab.store.update('vdis', record.id, { size: diskBytes })
  const vdi = vdisOf(sim, vm)[0]
  if (!vdi) throw new Error('the VM has no VDI')
  const vmSource: ExportSource = {
    url: sim.url,
    pool: String(vm['$pool']),
    object: { type: 'VM', uuid: String(vm['uuid'] ?? vm.id), name: String(vm['name_label']) },
  }
  const vdiSource: ExportSource = {
    url: sim.url,
    pool: String(vdi['$pool']),
    object: { type: 'VDI', uuid: String(vdi['uuid'] ?? vdi.id), name: String(vdi['name_label']) },
  }
  return { sim, vm, vdi, vmSource, vdiSource }
}
