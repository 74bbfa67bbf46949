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
  #prepared: Promise<RunningSimulator> | undefined

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

  /**
   * Starts the simulator ahead of the click, while the welcome screen offers the lab, so that
   * opening it only connects (generating a 10,000-VM lab takes most of a second). Idempotent.
   */
  prepare(): void {
    if (this.#sim || this.#prepared || this.#starting) return
    const prepared = this.#startSimulator()
    this.#prepared = prepared
    prepared.catch((err: unknown) => {
      // Opening will start it again and report the failure then.
      if (this.#prepared === prepared) this.#prepared = undefined
      this.log(`Demo lab: could not prepare the simulator (${String(err)})`)
    })
  }

  /** True while a simulator prepared ahead of the click waits to be opened. */
  get isPrepared(): boolean {
    return this.#prepared !== undefined
  }

  /** Throws the lab away (its changes too) and starts a fresh one. */
  async reset(): Promise<InstanceSummary> {
    await this.close()
    return this.open()
  }

  #startSimulator(): Promise<RunningSimulator> {
    return startSimulator({ host: '127.0.0.1', port: 0, ...this.simulatorOptions })
  }

  async #start(): Promise<InstanceSummary> {
    const prepared = this.#prepared
    this.#prepared = undefined
    const sim = (await prepared?.catch(() => undefined)) ?? (await this.#startSimulator())
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
    const prepared = this.#prepared
    this.#prepared = undefined
    await (await prepared?.catch(() => undefined))?.close()
    await this.registry.remove(DEMO_ID)
    this.vault.delete(DEMO_ID)
    await this.#sim?.close()
    this.#sim = undefined
  }
}
