/**
 * The simulator's data: every REST collection of XO, as plain records. XAPI-backed records carry
 * XO's `type` ("VM", "host"…); the others (users, tasks, backup jobs…) are keyed by collection only.
 */

/** One object as XO serves it (`GET /<collection>/{id}`), always with a string `id`. */
export interface XoRecord {
  id: string
  [key: string]: unknown
}

/** Top-level REST collections the simulator serves (docs/xo-rest-api.md#collections-and-fields). */
export const COLLECTIONS = [
  'pools',
  'hosts',
  'vms',
  'vm-templates',
  'vm-snapshots',
  'vm-controllers',
  'srs',
  'vdis',
  'vdi-snapshots',
  'vbds',
  'vifs',
  'networks',
  'pifs',
  'pbds',
  'pcis',
  'pgpus',
  'sms',
  'messages',
  'alarms',
  'tasks',
  'servers',
  'users',
  'groups',
  'acl-roles',
  'acl-privileges',
  'backup-jobs',
  'backup-logs',
  'backup-repositories',
  'backup-archives',
  'restore-logs',
  'schedules',
  'proxies',
] as const

export type CollectionName = (typeof COLLECTIONS)[number]

/** A lab user who signs in with Basic auth and creates tokens (docs/xo-rest-api.md#authentication). */
export interface LabAccount {
  userId: string
  /** XO user `name` (an e-mail-like login, e.g. "admin@admin.net"). */
  name: string
  password: string
  permission: 'admin' | 'none'
}

/** What the generator produces: every collection's records, plus the lab's sign-in accounts. */
export interface LabData {
  seed: string
  collections: Record<CollectionName, XoRecord[]>
  accounts: LabAccount[]
}

export interface LabOptions {
  /** Same seed, same lab: ids, names and contents are derived from it. */
  seed: string
  /** How many VMs (not templates, snapshots or dom0s). Default: ~150, an SMB-sized lab. */
  vms?: number
  /** Milliseconds since the epoch that "now" means for generated timestamps. Default: a fixed date. */
  now?: number
}
