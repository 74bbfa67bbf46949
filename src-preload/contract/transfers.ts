import type { AppError } from './errors'
import type { InstanceId } from './instances'

/**
 * Exports, imports and moves, run by main's transfer queue. The renderer starts and cancels them
 * and watches `transfer.updated`; every byte goes through main.
 */

/** `queued` until a slot is free (the queue runs a few at once), `verifying` while a file is checked. */
export type TransferState = 'queued' | 'running' | 'verifying' | 'done' | 'failed' | 'cancelled'

export type TransferDirection = 'export' | 'import' | 'move'

/**
 * What can be exported, by XO collection: VMs and their snapshots and templates, disks, and a
 * host's audit log (`txt`) or logs tarball (`tgz`).
 */
export type ExportCollection =
  'vms' | 'vm-snapshots' | 'vm-templates' | 'vdis' | 'vdi-snapshots' | 'hosts'

export type TransferFormat = 'xva' | 'ova' | 'vhd' | 'raw' | 'txt' | 'tgz'

/** One transfer as the Transfers view shows it. */
export interface TransferView {
  id: string
  direction: TransferDirection
  /** The XO the bytes come from (export, move) or go to (import). */
  instance: { id: InstanceId; name: string }
  /** Where a move goes. */
  to?: { id: InstanceId; name: string }
  /** The VM or disk exported, or what an import creates (its name once known). */
  object: { collection: string; id?: string; name: string }
  /** The local file written or read (absolute path). */
  file?: string
  format: TransferFormat
  compression?: 'gzip' | 'zstd'
  state: TransferState
  /** Bytes moved in the current attempt. */
  bytes: number
  /** Total bytes, when known (exports of VMs have none until they end). */
  total?: number
  /** Bytes per second over the last seconds. */
  rate: number
  secondsLeft?: number
  /** 1 for the first try; an export that failed midway starts over from its first byte. */
  attempt: number
  /** Why it failed or was cancelled, and what to do. */
  error?: AppError
  /** SHA-256 of what was written or sent, once done. */
  sha256?: string
  /** For an import or a move: the VM or VDI XO created or filled. */
  created?: { collection: 'vms' | 'vdis'; id: string }
  queuedAt: number
  startedAt?: number
  endedAt?: number
}

/** Input of `transfers.export`: the file lands in the instance's folder of the library. */
export interface ExportInput {
  instanceId: InstanceId
  collection: ExportCollection
  objectId: string
  format: TransferFormat
  compression?: 'gzip' | 'zstd'
}

/** Where an imported file goes: a VM into an SR's pool, a disk as a new VDI or into one. */
export type ImportTargetInput =
  | { kind: 'vm'; sr: string }
  | { kind: 'new-vdi'; sr: string; name?: string; description?: string }
  | { kind: 'existing-vdi'; vdi: string }

/**
 * Input of `transfers.import`: a library file (its id) or a file dropped on the window (its path,
 * which only the preload can read from the drop).
 */
export interface ImportInput {
  source: { libraryId: string } | { path: string }
  instanceId: InstanceId
  target: ImportTargetInput
}

/** How the queue runs: how many at once, and an optional limit on all of them together. */
export interface TransferSettings {
  parallel: number
  /** Bytes per second for all transfers together; absent: no limit. */
  bandwidthLimit?: number
}

/** The total of the running transfers, as the taskbar or dock shows it. */
export interface TransferTotals {
  running: number
  queued: number
  /** 0…1 when every running transfer knows its size; absent otherwise. */
  fraction?: number
}

/** What else of a VM can be exported: its disks and its snapshots (read from XO when asked). */
export interface ExportChoices {
  disks: { id: string; name: string; size: number }[]
  snapshots: { id: string; name: string; /** ms since the epoch */ takenAt?: number }[]
}

/** Input of `transfers.move`: a VM (as XVA) or a disk (as VHD) copied from one instance into another. */
export interface MoveInput {
  kind: 'vm' | 'vdi'
  fromInstanceId: InstanceId
  /** The VM or VDI on the source instance. */
  objectId: string
  toInstanceId: InstanceId
  /** The SR on the target that receives the disks (for a VM, its pool gets the VM). */
  sr: string
}
