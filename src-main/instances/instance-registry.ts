import type { WebSocket } from 'undici'
import type { InstanceId, InstanceSummary } from '@contract'
import type { LiveInventory } from '../inventory/live-inventory'
import { AppFailure } from '../app-failure'
import { accountSummary, type InstanceAccount } from './instance-account'
import type { XoClient } from '../xo/client'

/** One connected XO instance in main: its client, its live inventory, and what the sidebar shows. */
export interface Instance {
  id: InstanceId
  label: string
  kind: 'demo' | 'xo'
  client: XoClient
  live: LiveInventory
  /** What the sidebar shows beyond name and state: environment, colour, read-only, trust. */
  details?: InstanceDetails
  /** The signed-in account and the server's API, once read after the first connection. */
  account?: InstanceAccount
  /**
   * Opens XO's console proxy for a VM (or a host's control domain), with this instance's token and
   * certificate trust (src-main/console/console-socket.ts).
   */
  openConsole(consoleId: string): WebSocket
  /** Stops the stream and closes the client's sockets. */
  close(): Promise<void>
}

/** The settings of a saved instance that the renderer may know (never its token). */
export type InstanceDetails = Pick<
  InstanceSummary,
  'environment' | 'color' | 'readOnly' | 'trust' | 'tokenExpiresAt' | 'tokenStorage' | 'warnings'
>

export function summaryOf(instance: Instance): InstanceSummary {
  return {
    ...instance.details,
    id: instance.id,
    label: instance.label,
    url: instance.client.baseUrl.href.replace(/\/$/, ''),
    kind: instance.kind,
    live: instance.live.connection(),
    ...(instance.account ? { account: accountSummary(instance.account) } : {}),
  }
}

/** The instances main is connected to, by id. */
export class InstanceRegistry {
  readonly #instances = new Map<InstanceId, Instance>()

  /**
   * The sidebar's list: the Demo lab first, then the saved instances in `order` (their order in
   * `instances.json`); a reconnect re-adds an instance, so the map's own order means nothing.
   */
  list(order: readonly InstanceId[] = []): InstanceSummary[] {
    const rank = (i: Instance): number => {
      if (i.kind === 'demo') return -1
      const at = order.indexOf(i.id)
      return at === -1 ? order.length : at
    }
    return [...this.#instances.values()].sort((a, b) => rank(a) - rank(b)).map(summaryOf)
  }

  /** The instance, or a readable failure when the UI names one that is gone. */
  get(id: InstanceId): Instance {
    const instance = this.#instances.get(id)
    if (!instance) {
      throw new AppFailure(
        'not-found',
        'This XO instance is no longer configured.',
        'Pick another instance in the sidebar.',
      )
    }
    return instance
  }

  has(id: InstanceId): boolean {
    return this.#instances.has(id)
  }

  async add(instance: Instance): Promise<void> {
    await this.remove(instance.id)
    this.#instances.set(instance.id, instance)
  }

  async remove(id: InstanceId): Promise<void> {
    const instance = this.#instances.get(id)
    if (!instance) return
    this.#instances.delete(id)
    await instance.close()
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#instances.keys()].map((id) => this.remove(id)))
  }
}
