import type { InstanceId } from '@contract'
import type { TokenVault } from './token-vault'

/** Tokens kept in memory only: the Demo lab's, and tests'. Gone when the app quits. */
export class MemoryVault implements TokenVault {
  readonly #tokens = new Map<InstanceId, string>()

  get(id: InstanceId): string | undefined {
    return this.#tokens.get(id)
  }

  set(id: InstanceId, token: string): void {
    this.#tokens.set(id, token)
  }

  delete(id: InstanceId): void {
    this.#tokens.delete(id)
  }
}
