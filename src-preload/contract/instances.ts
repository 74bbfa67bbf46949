import type { ConnectionState } from './inventory'

/** Identifies one configured XO instance (the Demo lab's is `demo`). */
export type InstanceId = string

/** An XO instance as the sidebar shows it. Never carries its token: main alone holds tokens. */
export interface InstanceSummary {
  id: InstanceId
  label: string
  /** The REST API base URL, `…/rest/v0`. */
  url: string
  /** `demo`: the built-in simulator (kept in memory, never in the keychain). */
  kind: 'demo' | 'xo'
  live: ConnectionState
}
