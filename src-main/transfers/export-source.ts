import type { ExportCollection, TransferFormat } from '@contract'
import type { XoClient } from '../xo/client'
import type { ExportSource } from './sidecar'

/** What a sidecar can describe: an exported VM or disk, or a host whose log files are exported. */
export type SourceCollection = ExportCollection

const TYPES: Record<SourceCollection, ExportSource['object']['type']> = {
  vms: 'VM',
  'vm-snapshots': 'VM-snapshot',
  'vm-templates': 'VM-template',
  vdis: 'VDI',
  'vdi-snapshots': 'VDI-snapshot',
  hosts: 'host',
}

/**
 * The export's path below the API base: `GET /vms/{id}.{xva|ova}`, `GET /vm-snapshots/{id}.…`,
 * `GET /vm-templates/{id}.…`, `GET /vdis/{id}.{vhd|raw}`, `GET /vdi-snapshots/{id}.…`
 * (docs/xo-rest-api.md#exports-and-imports), and a host's `GET /hosts/{id}/audit.txt` or
 * `GET /hosts/{id}/logs.tgz` (dist/hosts/host.controller.mjs).
 */
export function exportPathOf(
  collection: ExportCollection,
  id: string,
  format: TransferFormat,
): string {
  const at = `/${collection}/${encodeURIComponent(id)}`
  if (collection === 'hosts') return `${at}/${format === 'tgz' ? 'logs.tgz' : 'audit.txt'}`
  return `${at}.${format}`
}

/**
 * What the sidecar says of the exported object, read from XO (`GET /{collection}/{id}`; a host
 * for its audit log or logs): its uuid, name, pool and, for a snapshot, when it was taken; `size`
 * is a disk's virtual size.
 */
export async function describeExportSource(
  client: Pick<XoClient, 'get' | 'baseUrl'>,
  collection: SourceCollection,
  id: string,
  instance: string | undefined,
  signal: AbortSignal,
): Promise<{ source: ExportSource; size?: number }> {
  const object = (await client.get(collection, id, signal)) as Record<string, unknown>
  const str = (key: string): string | undefined =>
    typeof object[key] === 'string' ? object[key] : undefined
  const snapshotTime = object['snapshot_time']
  const pool = str('$pool')
  const name = str('name_label')
  const source: ExportSource = {
    ...(instance !== undefined ? { instance } : {}),
    url: client.baseUrl.href,
    ...(pool !== undefined ? { pool } : {}),
    object: {
      type: TYPES[collection],
      uuid: str('uuid') ?? id,
      ...(name !== undefined ? { name } : {}),
    },
    // XO gives snapshot_time in seconds since the epoch.
    ...(typeof snapshotTime === 'number' && snapshotTime > 0
      ? { snapshotTime: new Date(snapshotTime * 1000).toISOString() }
      : {}),
  }
  const size = object['size']
  return typeof size === 'number' ? { source, size } : { source }
}
