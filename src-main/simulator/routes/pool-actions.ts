// The pool action routes (`POST /pools/{id}/actions/…`), registered by actions.ts.
import { targetRecord as target, type RequestContext } from '../http/context'
import { xoError } from '../http/xo-errors'
import type { XoRecord } from '../lab/types'
import { newXapiIds } from '../lab-mutations'
import { created, type ActionSpec, type Body } from './action-runner'

function newNetwork(
  ctx: RequestContext,
  body: Body,
  extra: Record<string, unknown>,
): { id: string } {
  const pool = target(ctx)
  const model = [...ctx.sim.store.list('networks')].find((n) => n['$pool'] === pool.id) ?? {}
  const ids = newXapiIds()
  ctx.sim.store.insert('networks', {
    ...model,
    ...ids,
    type: 'network',
    name_label: String(body['name'] ?? 'New network'),
    name_description: String(body['description'] ?? ''),
    MTU: typeof body['mtu'] === 'number' ? body['mtu'] : 1500,
    PIFs: [],
    VIFs: [],
    tags: [],
    $pool: pool.id,
    $poolId: pool.id,
    bridge: `xapi${ctx.sim.store.count('networks')}`,
    ...extra,
  })
  return { id: ids.id }
}

export function registerPoolActions(
  on: (path: string, spec: ActionSpec, factor?: number) => void,
): void {
  on('/pools/{id}/actions/create_network', {
    name: 'create network',
    syncStatus: 201,
    run: (ctx, body) => () =>
      newNetwork(ctx, body, { other_config: { vlan: String(body['vlan'] ?? 0) } }),
    location: created('networks'),
  })
  on('/pools/{id}/actions/create_bonded_network', {
    name: 'create bonded network',
    syncStatus: 201,
    run: (ctx, body) => () => newNetwork(ctx, body, {}),
    location: created('networks'),
  })
  on('/pools/{id}/actions/create_internal_network', {
    name: 'create internal network',
    syncStatus: 201,
    run: (ctx, body) => () => newNetwork(ctx, body, {}),
    location: created('networks'),
  })
  // Licence-gated in XOA; the lab has no licence, so it fails as an unlicensed XO does.
  on('/pools/{id}/actions/emergency_shutdown', {
    name: 'pool emergency shutdown',
    syncStatus: 204,
    run: () => {
      throw xoError.featureUnauthorized('POOL_EMERGENCY_SHUTDOWN')
    },
  })
  // The only actions whose task has a progress (dist/pools/pool.controller.mjs).
  const rolling = (name: string): ActionSpec => ({
    name,
    syncStatus: 204,
    progress: true,
    run: (ctx) => () => {
      for (const host of [...ctx.sim.store.list('hosts')].filter(
        (h) => h['$pool'] === target(ctx).id,
      )) {
        ctx.sim.store.update('hosts', host.id, {
          rebootRequired: false,
          startTime: ctx.sim.nowSeconds(),
        })
      }
      return undefined
    },
  })
  on('/pools/{id}/actions/rolling_reboot', rolling('rolling pool reboot'), 4)
  on('/pools/{id}/actions/rolling_update', rolling('rolling pool update'), 4)
  on('/pools/{id}/actions/management_reconfigure', {
    name: 'pool management reconfigure',
    syncStatus: 204,
    // The acl has fetched the network (http/acl-lookups.ts); whether it is the pool's is checked
    // inside the action (@xen-orchestra/rest-api 0.39.0, dist/pools/pool.controller.mjs).
    run: (ctx, body) => {
      const network = ctx.sim.store.get('networks', String(body['network'])) as XoRecord
      const pool = target(ctx)
      if (network['$pool'] !== pool.id) {
        throw xoError.invalidParameters(
          `the network ${String(network['uuid'] ?? network.id)} does not belong to pool ${String(pool['uuid'] ?? pool.id)}`,
        )
      }
      return () => undefined
    },
  })
  on(
    '/pools/{id}/actions/add_host',
    {
      name: 'add host to pool',
      syncStatus: 204,
      // The acl has fetched `host` already (http/acl-lookups.ts).
      run: (ctx, body) => () => {
        ctx.sim.store.update('hosts', String(body['host']), {
          $pool: target(ctx).id,
          $poolId: target(ctx).id,
        })
        return undefined
      },
    },
    2,
  )
}
