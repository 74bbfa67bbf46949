import type { ExportChoices } from '@contract'
import type { XoClient } from '../xo/client'

const text = (v: unknown, or: string): string => (typeof v === 'string' && v !== '' ? v : or)

/**
 * A VM's disks (`GET /vms/{id}/vdis`) and snapshots (`GET /vm-snapshots?filter=$snapshot_of:ID`),
 * what the export dialog offers besides the whole VM.
 */
export async function exportChoices(
  client: Pick<XoClient, 'subCollection' | 'list'>,
  vmId: string,
  signal: AbortSignal,
): Promise<ExportChoices> {
  const [vdis, snapshots] = await Promise.all([
    client.subCollection('vms', vmId, 'vdis', { fields: ['id', 'name_label', 'size'] }, signal),
    client.list(
      'vm-snapshots',
      { fields: ['id', 'name_label', 'snapshot_time'], filter: `$snapshot_of:${vmId}` },
      signal,
    ),
  ])
  return {
    disks: vdis.map((d) => {
      const r = d as Record<string, unknown>
      return {
        id: String(r['id']),
        name: text(r['name_label'], String(r['id'])),
        size: Number(r['size'] ?? 0),
      }
    }),
    snapshots: snapshots
      .map((s) => {
        const r = s as Record<string, unknown>
        const time = r['snapshot_time']
        return {
          id: String(r['id']),
          name: text(r['name_label'], String(r['id'])),
          // XO gives snapshot_time in seconds.
          ...(typeof time === 'number' ? { takenAt: time * 1000 } : {}),
        }
      })
      .sort((a, b) => (b.takenAt ?? 0) - (a.takenAt ?? 0)),
  }
}
