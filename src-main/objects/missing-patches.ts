import type { MissingPatch } from '@contract'
import { AppFailure, toAppError } from '../app-failure'
import type { Instance } from '../instances/instance-registry'
import type { Collection } from '../xo/types'

/**
 * The patches a host lacks (`GET /hosts/{id}/missing_patches`). XO checks its licence first
 * (`checkFeatureAuthorization('LIST_MISSING_PATCHES')` in @xen-orchestra/rest-api 0.39.0,
 * dist/hosts/host.service.mjs) and answers 403 without one: said in those words.
 */
export async function readMissingPatches(
  instance: Instance,
  hostId: string,
  signal: AbortSignal,
): Promise<MissingPatch[]> {
  const name = String(instance.live.cache.get('hosts', hostId)?.['name_label'] ?? hostId)
  let listed: Record<string, unknown>[]
  try {
    listed = (await instance.client.subCollection(
      'hosts',
      hostId,
      'missing_patches' as Collection,
      {},
      signal,
    )) as Record<string, unknown>[]
  } catch (err) {
    const error = toAppError(err, () => {})
    if (error.code !== 'forbidden') throw err
    throw new AppFailure(
      'forbidden',
      `${instance.label} does not list the patches ${name} lacks: XO lists them only with an XOA licence that includes it (feature LIST_MISSING_PATCHES), or your account lacks the right.`,
      'Check the host in XO’s web UI, or run `yum check-update` on the host itself.',
    )
  }
  return listed.map(toPatch).sort((a, b) => a.name.localeCompare(b.name))
}

/** XCP-ng's patches have `name`/`version`/`release`; XenServer's `name`/`description`/`size`. */
function toPatch(raw: Record<string, unknown>): MissingPatch {
  const text = (key: string): string | undefined =>
    typeof raw[key] === 'string' && raw[key] !== '' ? (raw[key] as string) : undefined
  const size = typeof raw['size'] === 'number' ? raw['size'] : undefined
  const version = text('version')
  const release = text('release')
  const description = text('description')
  return {
    name: text('name') ?? text('uuid') ?? '?',
    ...(version ? { version } : {}),
    ...(release ? { release } : {}),
    ...(description ? { description } : {}),
    ...(size !== undefined ? { size } : {}),
  }
}
