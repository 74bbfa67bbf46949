import type { InstanceId } from '@contract'

/**
 * Where XO tokens live: the OS keychain for real instances, memory for the Demo lab and tests.
 * The renderer never sees a token; at most whether one is stored.
 */
export interface TokenVault {
  get(id: InstanceId): string | undefined
  set(id: InstanceId, token: string): void
  delete(id: InstanceId): void
}
