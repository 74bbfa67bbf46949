import type { ErrorCode } from './errors'
import type { InstanceId } from './instances'

/**
 * The local audit log: one entry per mutating request, written by main where the request is
 * decided (vatesfr/xen-orchestra#2539). Never a token, password or one-time code.
 */

/** `started` when XO accepted an action and gave its task; `refused` when XO Desk said no itself. */
export type AuditOutcome = 'started' | 'succeeded' | 'failed' | 'refused'

/** One line of `audit.jsonl`. */
export interface AuditEntry {
  /** ISO 8601, UTC. */
  time: string
  /** The id is empty for an instance that was never saved (a failed `instances.add`). */
  instance: { id: InstanceId; name: string }
  object: { collection: string; id: string; name?: string }
  /** `vms.start`, `instances.add`, `instances.remove`, `instances.trust`, `instances.signIn`… */
  action: string
  outcome: AuditOutcome
  /** What went wrong, readable, when `outcome` is `failed` or `refused`. */
  error?: { code: ErrorCode; message: string }
  /** XO's task, for an action XO accepted. */
  taskId?: string
}

/** Input of `audit.list`: newest first, at most `limit` (100 by default). */
export interface AuditListInput {
  limit?: number
  instanceId?: InstanceId
}

/** Input of `audit.export`. */
export interface AuditExportInput {
  format: 'csv' | 'json'
}

/** The whole log as a file to save: its suggested name and its text. */
export interface AuditExport {
  fileName: string
  text: string
}
