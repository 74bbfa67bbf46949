import type { InstanceId } from '@contract'
import type { EventHub } from '../app-events/event-hub'
import { startLiveInventory } from '../inventory/live-inventory'
import type { TokenVault } from '../vault/token-vault'
import { XoClient } from '../xo/client'
import { toXoAppError } from '../xo/errors'
import type { Collection } from '../xo/types'
import type { Instance } from './instance-registry'

export interface ConnectOptions {
  id: InstanceId
  label: string
  kind: 'demo' | 'xo'
  url: string
  vault: TokenVault
  hub: EventHub
  log?: (message: string) => void
}

/**
 * Connects to one XO: a REST client, and a live inventory (initial read + event stream) whose
 * diffs and connection state go to the renderer through the hub. The token stays in the vault;
 * it is read for each request and never leaves main.
 */
export function connectInstance(options: ConnectOptions): Instance {
  const token = (): string | undefined => options.vault.get(options.id)
  const client = new XoClient({ baseUrl: options.url, token })
  const host = client.baseUrl.host
  const live = startLiveInventory({
    instanceId: options.id,
    baseUrl: client.baseUrl.href.replace(/\/$/, ''),
    headers: (): Record<string, string> => {
      const t = token()
      return t === undefined ? {} : { cookie: `authenticationToken=${t}` }
    },
    // Lists read only the fields the UI shows (GUIDE §3.2): never whole objects.
    load: (collection, fields, signal) => client.list(collection as Collection, { fields }, signal),
    toAppError: (err) => toXoAppError(err, { host, credentials: 'token' }),
    ...(options.log ? { log: options.log } : {}),
  })
  const stopDiffs = live.cache.subscribe((diff) => options.hub.publish('inventory.diff', diff))
  const stopState = live.onConnection((state) => {
    options.log?.(
      `${options.label}: event stream ${state.state}${state.error ? ` (${state.error.message})` : ''}`,
    )
    options.hub.publish('instance.state', state)
  })
  return {
    id: options.id,
    label: options.label,
    kind: options.kind,
    client,
    live,
    async close() {
      stopDiffs()
      stopState()
      await live.close()
      await client.close()
    },
  }
}
