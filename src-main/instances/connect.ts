import type { InstanceId } from '@contract'
import type { InventoryDiff } from '@contract/inventory'
import { Agent, type WebSocket } from 'undici'
import { openConsoleSocket } from '../console/console-socket'
import type { EventHub } from '../app-events/event-hub'
import {
  SnapshotWriter,
  type InventorySnapshot,
  type InventorySnapshots,
} from '../inventory/inventory-snapshot'
import { startLiveInventory } from '../inventory/live-inventory'
import { connectorFor, type TrustPolicy } from '../tls/trust'
import type { TokenVault } from '../vault/token-vault'
import { XoClient } from '../xo/client'
import { toXoAppError } from '../xo/errors'
import type { Collection } from '../xo/types'
import { readInstanceAccount } from './instance-account'
import { summaryOf, type Instance, type InstanceDetails } from './instance-registry'

export interface ConnectOptions {
  id: InstanceId
  label: string
  kind: 'demo' | 'xo'
  url: string
  vault: TokenVault
  /** How the server's certificate is trusted, for the REST calls and the event stream alike. */
  trust?: TrustPolicy
  /** Environment, colour, read-only… as the sidebar shows them. */
  details?: InstanceDetails
  hub: EventHub
  /**
   * A saved instance's inventory on disk (never the Demo lab's, which is made anew): the cache
   * starts from `saved`, shown as stale until the first read, and `store` keeps it current.
   */
  snapshot?: { store: InventorySnapshots; saved?: InventorySnapshot; intervalMs?: number }
  log?: (message: string) => void
}

/**
 * Connects to one XO: a REST client, and a live inventory (initial read + event stream) whose
 * diffs and connection state go to the renderer through the hub. The token stays in the vault;
 * it is read for each request and never leaves main.
 */
/** What XO Desk cannot work without: a failure to list these fails the whole read. */
const CORE_COLLECTIONS: ReadonlySet<string> = new Set(['pools', 'hosts', 'vms', 'srs'])

export function connectInstance(options: ConnectOptions): Instance {
  const token = (): string | undefined => options.vault.get(options.id)
  const trust = options.trust ?? { kind: 'system' }
  const client = new XoClient({ baseUrl: options.url, token, trust })
  // The stream's own socket goes through the same certificate check as every REST call.
  const streamAgent = new Agent({ connect: connectorFor(trust) })
  const host = client.baseUrl.host
  const live = startLiveInventory({
    instanceId: options.id,
    baseUrl: client.baseUrl.href.replace(/\/$/, ''),
    headers: (): Record<string, string> => {
      const t = token()
      return t === undefined ? {} : { cookie: `authenticationToken=${t}` }
    },
    // Lists read only the fields the UI shows (docs/xo-rest-api.md#collections-and-fields): never
    // whole objects.
    load: (collection, fields, signal) =>
      client.list(collection as Collection, { fields }, signal).catch((err: unknown) => {
        // An account that may not read a type (users and groups are admin-only), or an older XO
        // without its route, still browses everything else: that type shows empty.
        const e = toXoAppError(err, { host, credentials: 'token' })
        if (CORE_COLLECTIONS.has(collection) || (e.code !== 'forbidden' && e.code !== 'not-found'))
          throw err
        options.log?.(`${options.id}: ${collection} not listed (${e.code}): ${e.message}`)
        return []
      }),
    toAppError: (err) => toXoAppError(err, { host, credentials: 'token' }),
    dispatcher: streamAgent,
    ...(options.snapshot?.saved ? { snapshot: options.snapshot.saved } : {}),
    ...(options.log ? { log: options.log } : {}),
  })
  if (options.snapshot?.saved) {
    // The VM list opens sorted by name (src-renderer/lib/state/vm-table.svelte.ts): sort the
    // snapshot's VMs while the window loads, so its first page is only a slice.
    setImmediate(() =>
      live.cache.page('vms', {
        offset: 0,
        limit: 0,
        sort: { field: 'name_label', direction: 'asc' },
      }),
    )
  }
  const writer = options.snapshot
    ? new SnapshotWriter({
        snapshots: options.snapshot.store,
        cache: live.cache,
        freshAt: () => live.freshAt(),
        ...(options.snapshot.intervalMs !== undefined
          ? { intervalMs: options.snapshot.intervalMs }
          : {}),
        ...(options.log ? { log: options.log } : {}),
      })
    : undefined
  const stopDiffs = live.cache.subscribe((diff) =>
    options.hub.publish('inventory.diff', forRenderer(diff)),
  )
  // Once the stream is live the token works: read who it belongs to and what the server serves.
  const closing = new AbortController()
  let accountRead = false
  const stopState = live.onConnection((state) => {
    options.log?.(
      `${options.label}: event stream ${state.state}${state.error ? ` (${state.error.message})` : ''}`,
    )
    options.hub.publish('instance.state', state)
    if (state.state === 'live' && !accountRead) {
      accountRead = true
      readInstanceAccount(client, closing.signal).then(
        (account) => {
          instance.account = account
          options.hub.publish('instance.updated', summaryOf(instance))
        },
        (err: unknown) => {
          accountRead = false // tried again on the next connection
          options.log?.(`${options.label}: could not read the account (${String(err)})`)
        },
      )
    }
  })
  const instance: Instance = {
    id: options.id,
    label: options.label,
    kind: options.kind,
    ...(options.details ? { details: options.details } : {}),
    client,
    live,
    openConsole(consoleId: string): WebSocket {
      return openConsoleSocket({ restBase: client.baseUrl, consoleId, token: token() ?? '', trust })
    },
    async close() {
      closing.abort()
      stopDiffs()
      stopState()
      // The stream first, so no change lands after the last snapshot is taken.
      await live.stream.close()
      await writer?.close()
      await live.close()
      await client.close()
      await streamAgent.close()
    },
  }
  return instance
}

/**
 * What the renderer needs of a diff. A resync goes without its objects (the whole lab, on the
 * first read): the renderer only re-reads its pages on it. Live diffs go as they are.
 */
function forRenderer(diff: InventoryDiff): InventoryDiff {
  if (!diff.resynced) return diff
  return { ...diff, upserts: [], removals: [] }
}
