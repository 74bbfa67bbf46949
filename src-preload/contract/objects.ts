/**
 * The inventory browser's payloads: every object type an admin looks at, an object's details with
 * its related objects, the actions XO's REST API has for each type, stats, XO Desk's own task list
 * and the browser's saved preferences.
 */
import type { AppError } from './errors'
import type { InstanceId } from './instances'
import type { InventoryObject } from './inventory'
import type { XoCollections } from './xo-objects'

/** The object types the browser lists per instance, in the navigation's order. */
export const BROWSABLE_COLLECTIONS = [
  'pools',
  'hosts',
  'vms',
  'vm-templates',
  'vm-snapshots',
  'srs',
  'vdis',
  'networks',
  'tasks',
  'alarms',
  'messages',
  'backup-jobs',
  'users',
  'groups',
] as const

export type BrowsableCollection = (typeof BROWSABLE_COLLECTIONS)[number]

/**
 * The collections main's inventory holds: the browsable ones, and those only read to relate
 * objects (a VM's disks are reached through its VBDs).
 */
export const INVENTORY_COLLECTIONS = [
  ...BROWSABLE_COLLECTIONS,
  'vdi-snapshots',
  'vbds',
  'vifs',
  'pifs',
  'pbds',
  'pcis',
  'pgpus',
  'schedules',
] as const

export type InventoryCollection = (typeof INVENTORY_COLLECTIONS)[number]

/**
 * A row of a collection as the inventory keeps it: the generated XO type, only the kept fields.
 * `Row<'vms'>` has `name_label`, `power_state`, … typed as XO's spec says.
 */
export type Row<C extends InventoryCollection> = Partial<XoCollections[C]> & { id: string }

/** One object of one instance: how the browser links to anything (a deep link inside the app). */
export interface ObjectRef {
  instanceId: InstanceId
  collection: InventoryCollection
  id: string
}

/** How many objects of each browsable type an instance has (the navigation's counts). */
export type ObjectCounts = Partial<Record<BrowsableCollection, number>>

/** A related object, enough to show it as a link. */
export interface RelatedObject {
  collection: InventoryCollection
  id: string
  /** What to call it: its `name_label`, or what identifies it (a VBD's device, a PIF's device). */
  name: string
  /** A short second line: a VDI's size, a PIF's IP, a host's power state. */
  detail?: string
}

/** One kind of relation of an object: "Host", "Disks", "Snapshots", … (keyed, labelled in the UI). */
export interface RelatedGroup {
  /** What the relation is, e.g. `host`, `pool`, `vdis`, `srs`, `vifs`, `snapshots`, `vms`, `pifs`. */
  relation: string
  collection: InventoryCollection
  items: RelatedObject[]
}

/** What the details of an object show. */
export interface ObjectDetails {
  ref: ObjectRef
  /** The whole object (`GET /<collection>/<id>`), or the inventory's fields when XO cannot be reached. */
  object: InventoryObject
  /** False when `object` is the inventory's copy: XO could not be asked (offline, snapshot). */
  fresh: boolean
  related: RelatedGroup[]
  /** Alarms and messages concerning this object, newest first. */
  alarms: InventoryObject[]
  messages: InventoryObject[]
  /** XO's tasks on this object, newest first. */
  tasks: InventoryObject[]
}

/**
 * The actions XO's REST API has per object type (`POST /<collection>/{id}/actions/<action>`),
 * with the body each takes, as XO's spec names them.
 */
export type ObjectAction =
  | {
      collection: 'vms'
      action:
        | 'start'
        | 'clean_shutdown'
        | 'hard_shutdown'
        | 'clean_reboot'
        | 'hard_reboot'
        | 'pause'
        | 'unpause'
        | 'suspend'
        | 'resume'
    }
  | { collection: 'vms'; action: 'snapshot'; params?: { name_label?: string } }
  | { collection: 'vms'; action: 'clone'; params?: { name_label?: string; fast?: boolean } }
  | {
      collection: 'vms'
      action: 'migrate'
      params: { hostId: string; srId?: string; migrationNetworkId?: string }
    }
  | {
      collection: 'vms'
      action: 'revert_snapshot'
      params: { snapshotId: string; snapshotBefore?: boolean }
    }
  | {
      collection: 'hosts'
      action: 'enable' | 'clean_reboot' | 'smart_reboot' | 'restart_toolstack' | 'start'
    }
  /** `evacuate: true` moves the host's VMs away first (XO's "evacuate"). */
  | { collection: 'hosts'; action: 'disable'; params?: { evacuate?: boolean } }
  | {
      collection: 'pools'
      action: 'rolling_reboot' | 'rolling_update'
      params?: { shutdownPinnedVms?: boolean }
    }
  /** A new VM from a template, in the template's pool. */
  | {
      collection: 'pools'
      action: 'create_vm'
      params: { template: string; name_label: string; autoPoweron?: boolean }
    }
  | { collection: 'srs'; action: 'scan' | 'reclaim_space' }
  | { collection: 'vdis'; action: 'migrate'; params: { srId: string } }
  /** "Run now" of a backup job: its schedule runs once. */
  | { collection: 'schedules'; action: 'run' }
  | { collection: 'tasks'; action: 'abort' }

export type ObjectActionName = ObjectAction['action']

/** Input of `objects.action`: which object, which action with its body. */
export type ObjectActionInput = ObjectAction & {
  instanceId: InstanceId
  id: string
  /** The object's name as typed by the admin, when main asks for it (a production instance). */
  confirmName?: string
}

/** The collections an object is deleted from (`DELETE /<collection>/{id}`). */
export type DeletableCollection =
  'vms' | 'vm-snapshots' | 'vm-templates' | 'vdis' | 'vdi-snapshots' | 'srs' | 'networks'

/** The collections whose objects are renamed (`PATCH /<collection>/{id}` with `name_label`). */
export type RenamableCollection = 'vms' | 'vdis'

/** The collections whose objects carry tags (`PUT`/`DELETE /<collection>/{id}/tags/{tag}`). */
export type TaggableCollection =
  | 'pools'
  | 'hosts'
  | 'vms'
  | 'vm-templates'
  | 'vm-snapshots'
  | 'srs'
  | 'vdis'
  | 'vdi-snapshots'
  | 'networks'

/** The stats routes' granularity (`GET /<collection>/{id}/stats?granularity=`). */
export type StatsGranularity = 'seconds' | 'minutes' | 'hours' | 'days'

/** The collections with a stats route. */
export type StatsCollection = 'vms' | 'hosts' | 'pools'

/** One line of a chart. */
export interface StatsSeries {
  /** e.g. `cpu0`, `memory`, `vif_0_rx`, `xvda_read`. */
  key: string
  /** `null` where XO has no sample. */
  values: (number | null)[]
}

/** One chart of an object's stats: CPU, memory, network or disk. */
export interface StatsChart {
  kind: 'cpu' | 'memory' | 'network' | 'disk' | 'load'
  /** What the values are: CPU and load in percent, memory in bytes, network and disk in bytes/s. */
  unit: 'percent' | 'bytes' | 'bytes-per-second' | 'count'
  series: StatsSeries[]
}

/** An object's stats, as the stats route answers them, read into charts. */
export interface ObjectStats {
  granularity: StatsGranularity
  /** Seconds between two samples. */
  interval: number
  /** The samples' times, ms since the epoch, oldest first. */
  timestamps: number[]
  charts: StatsChart[]
}

/** An action XO Desk started, in the Tasks panel across instances. */
export interface DeskTask {
  instanceId: InstanceId
  /** XO's task id; empty until XO answered (or when it refused at once). */
  taskId: string
  /** XO Desk's own id of the task, stable from the click on. */
  id: string
  object: { collection: InventoryCollection; id: string; name: string }
  action: ObjectActionName | 'delete' | 'rename' | 'tag' | 'untag'
  status: 'pending' | 'success' | 'failure'
  /** 0–100 when XO reports it. */
  progress?: number
  startedAt: number
  endedAt?: number
  /** Why it failed, with what to do, when `status` is `failure`. */
  error?: AppError
}

/** A patch a host lacks (`GET /hosts/{id}/missing_patches`, XCP-ng's or XenServer's form). */
export interface MissingPatch {
  name: string
  version?: string
  release?: string
  description?: string
  /** Bytes to download. */
  size?: number
}

/** A search an admin saved for one instance and object type. */
export interface SavedSearch {
  id: string
  instanceId: InstanceId
  collection: BrowsableCollection
  name: string
  filter: string
}

/** Which columns a table shows, in which order and width: per instance and object type. */
export interface ColumnLayout {
  visible: string[]
  /** Width in px of each column the admin resized. */
  widths: Record<string, number>
}

/** The browser's preferences, kept in main's settings file. */
export interface BrowserPrefs {
  /** `system` follows the OS language. */
  locale: 'system' | 'en' | 'fr'
  /** Row height of the lists: `compact` fits about a third more rows on a screen. */
  density: 'comfortable' | 'compact'
  /** Keyed `<instanceId>/<collection>`. */
  columns: Record<string, ColumnLayout>
  searches: SavedSearch[]
}
