import type { AppError, InventoryObject, XoBridge } from '@contract'

/** An SR offered as a target: its pool's name and its free space, as XO reports them. */
export interface SrChoice {
  id: string
  label: string
  free: number
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0)

/** The SRs of an instance that can hold VM disks (ISO libraries hold CD images), by pool and name. */
export async function loadSrChoices(
  xo: XoBridge,
  instanceId: string,
): Promise<{ ok: true; srs: SrChoice[] } | { ok: false; error: AppError }> {
  const page = (collection: 'srs' | 'pools') =>
    xo.invoke('inventory.page', {
      instanceId,
      collection,
      offset: 0,
      limit: 5_000,
      sort: { field: 'name_label' },
    })
  const [srs, pools] = await Promise.all([page('srs'), page('pools')])
  if (!srs.ok) return { ok: false, error: srs.error }
  const poolNames: Record<string, string> = Object.fromEntries(
    (pools.ok ? pools.value.items : []).map((p) => [p.id, String(p['name_label'] ?? p.id)]),
  )
  return {
    ok: true,
    srs: srs.value.items
      .filter((sr: InventoryObject) => sr['content_type'] !== 'iso')
      .map((sr) => ({
        id: sr.id,
        label: `${poolNames[String(sr['$pool'])] ?? '?'} / ${String(sr['name_label'] ?? sr.id)}`,
        free: num(sr['size']) - num(sr['physical_usage']),
      }))
      .sort((a, b) => a.label.localeCompare(b.label)),
  }
}
