// Files and objects the import tests share: a user SR, and an XVA exported by the simulator.
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { request } from 'undici'
import type { RunningSimulator } from '../simulator'

type XoRecord = { id: string } & Record<string, unknown>

const MiB = 1024 * 1024

export function userSr(s: RunningSimulator): XoRecord {
  const sr = [...s.lab.store.list('srs')].find((x) => x['content_type'] === 'user')
  if (!sr) throw new Error('no user SR')
  return sr
}

/** A VM whose disks are shrunk to 8 MiB, exported by the simulator as an XVA file. */
export async function exportedXva(s: RunningSimulator, path: string): Promise<XoRecord> {
  const vm = [...s.lab.store.list('vms')].find((v) =>
    [...s.lab.store.list('vbds')].some((b) => b['VM'] === v.id && b['is_cd_drive'] === false),
  )
  if (!vm) throw new Error('no VM with disks')
  for (const vbd of s.lab.store.list('vbds')) {
    if (vbd['VM'] !== vm.id) continue
    const vdi = s.lab.store.get('vdis', String(vbd['VDI']))
    if (vdi && Number(vdi['size']) > 8 * MiB) s.lab.store.update('vdis', vdi.id, { size: 8 * MiB })
  }
  const res = await request(`${s.url}/vms/${vm.id}.xva`, {
    headers: { cookie: `authenticationToken=${s.token}` },
  })
  await pipeline(res.body, createWriteStream(path))
  return vm
}
