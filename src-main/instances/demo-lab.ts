import type { InstanceSummary } from '@contract'
import type { EventHub } from '../app-events/event-hub'
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../simulator'
import type { Log } from '../log'
import type { TokenVault } from '../vault/token-vault'
import { connectInstance } from './connect'
import { summaryOf, type InstanceRegistry } from './instance-registry'

export const DEMO_ID = 'demo'

/**
 * The Demo lab: the simulator started in-process on a loopback port with a fresh token, registered
 * as an instance marked Demo and reached exactly like a real XO (HTTP, cookie, event stream). Its
 * token lives in memory only, never in the keychain.
 */
export class DemoLab {
  #sim: RunningSimulator | undefined
  #starting: Promise<InstanceSummary> | undefined

  constructor(
    private readonly registry: InstanceRegistry,
    private readonly vault: TokenVault,
    private readonly hub: EventHub,
    private readonly log: Log,
    private readonly simulatorOptions: SimulatorOptions = {},
  ) {}

  /** Opens the lab, starting it on first use; a second call returns the running one. */
  open(): Promise<InstanceSummary> {
    if (this.#sim && this.registry.has(DEMO_ID))
      return Promise.resolve(summaryOf(this.registry.get(DEMO_ID)))
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined))
    return this.#starting
  }

  /** Throws the lab away (its changes too) and starts a fresh one. */
  async reset(): Promise<InstanceSummary> {
    await this.close()
    return this.open()
  }

  async #start(): Promise<InstanceSummary> {
    const sim = await startSimulator({ host: '127.0.0.1', port: 0, ...this.simulatorOptions })
    this.#sim = sim
    this.vault.set(DEMO_ID, sim.token)
    this.log(`Demo lab: simulator listening at ${sim.url} with ${sim.lab.store.count('vms')} VMs`)
    const instance = connectInstance({
      log: this.log,
      id: DEMO_ID,
      label: 'Demo lab',
      kind: 'demo',
      url: sim.url,
      vault: this.vault,
      hub: this.hub,
    })
    await this.registry.add(instance)
    return summaryOf(instance)
  }

  /** The running simulator, for tests and fault injection in the e2e harness. */
  get simulator(): RunningSimulator | undefined {
    return this.#sim
  }

  async close(): Promise<void> {
    await this.registry.remove(DEMO_ID)
    this.vault.delete(DEMO_ID)
    await this.#sim?.close()
    this.#sim = undefined
  }
}
