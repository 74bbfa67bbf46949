import type { BrowsableCollection, InventoryCollection, InventorySort } from '@contract'
import { m } from '../../paraglide/messages.js'

/** How a column's value is shown. */
export type ColumnKind =
  | 'name'
  | 'text'
  | 'power'
  | 'bytes'
  | 'percent'
  | 'count'
  | 'bool'
  | 'date'
  | 'tags'
  /** The id of a pool, host, SR or network, shown as its name (main sorts it by that name too). */
  | 'ref'
  /** A list of ids: shown as how many. */
  | 'list'

export interface Column {
  /** The field it shows and sorts by; a dotted path (`memory.size`). */
  key: string
  label: string
  kind: ColumnKind
  /** Default width in px. */
  width: number
  /** Not shown until the admin picks it in the column chooser. */
  hidden?: boolean
}

export interface ObjectType {
  collection: InventoryCollection
  /** "VMs", "Hosts": the list's title and the navigation's entry. */
  plural: string
  /** "VM", "Host": what one object is called. */
  singular: string
  /** "150 VMs": how many there are, in the current language. */
  count: (count: number) => string
  columns: Column[]
  sort: InventorySort
  /** An example search for the filter's placeholder (XO's syntax). */
  example: string
}

const name = (width = 220): Column => ({
  key: 'name_label',
  label: m.common_name(),
  kind: 'name',
  width,
})
const tags = (): Column => ({ key: 'tags', label: m.obj_col_tags(), kind: 'tags', width: 160 })
const pool = (): Column => ({ key: '$pool', label: m.obj_col_pool(), kind: 'ref', width: 140 })
const byName: InventorySort = { field: 'name_label', direction: 'asc' }
const newest = (field: string): InventorySort => ({ field, direction: 'desc' })

/** Built when asked, so that the labels are in the language shown now. */
const types = (): Record<BrowsableCollection, Omit<ObjectType, 'collection'>> => ({
  pools: {
    plural: m.obj_pools(),
    count: (count) => m.obj_count_pools({ count }),
    singular: m.obj_pool(),
    columns: [
      name(),
      { key: 'master', label: m.obj_col_master(), kind: 'ref', width: 160 },
      { key: 'HA_enabled', label: m.obj_col_ha(), kind: 'bool', width: 70 },
      { key: 'default_SR', label: m.obj_col_default_sr(), kind: 'ref', width: 160 },
      tags(),
    ],
    sort: byName,
    example: 'tags:prod',
  },
  hosts: {
    plural: m.obj_hosts(),
    count: (count) => m.obj_count_hosts({ count }),
    singular: m.obj_host(),
    columns: [
      name(),
      { key: 'power_state', label: m.obj_col_power(), kind: 'power', width: 110 },
      { key: 'enabled', label: m.obj_col_enabled(), kind: 'bool', width: 80 },
      pool(),
      { key: 'address', label: m.obj_col_address(), kind: 'text', width: 130 },
      { key: 'CPUs.cpu_count', label: m.obj_col_cpus(), kind: 'count', width: 60 },
      { key: 'memory.size', label: m.obj_col_memory(), kind: 'bytes', width: 90 },
      { key: 'version', label: m.obj_col_version(), kind: 'text', width: 90 },
      { key: 'productBrand', label: m.obj_col_product(), kind: 'text', width: 90, hidden: true },
      tags(),
    ],
    sort: byName,
    example: 'power_state:Running enabled?',
  },
  vms: {
    plural: m.obj_vms(),
    count: (count) => m.obj_count_vms({ count }),
    singular: m.obj_vm(),
    columns: [
      name(),
      { key: 'power_state', label: m.obj_col_power(), kind: 'power', width: 116 },
      pool(),
      { key: '$container', label: m.obj_col_host(), kind: 'ref', width: 130 },
      { key: 'CPUs.number', label: m.obj_col_cpus(), kind: 'count', width: 56 },
      { key: 'memory.size', label: m.obj_col_memory(), kind: 'bytes', width: 80 },
      { key: 'mainIpAddress', label: m.obj_col_ip(), kind: 'text', width: 120 },
      tags(),
    ],
    sort: byName,
    example: 'power_state:Running tags:prod web',
  },
  'vm-templates': {
    plural: m.obj_templates(),
    count: (count) => m.obj_count_templates({ count }),
    singular: m.obj_template(),
    columns: [
      name(260),
      pool(),
      { key: 'CPUs.number', label: m.obj_col_cpus(), kind: 'count', width: 60 },
      { key: 'memory.size', label: m.obj_col_memory(), kind: 'bytes', width: 90 },
      tags(),
    ],
    sort: byName,
    example: 'debian',
  },
  'vm-snapshots': {
    plural: m.obj_snapshots(),
    count: (count) => m.obj_count_snapshots({ count }),
    singular: m.obj_snapshot(),
    columns: [
      name(260),
      { key: 'snapshot_time', label: m.obj_col_taken(), kind: 'date', width: 150 },
      pool(),
      tags(),
    ],
    sort: newest('snapshot_time'),
    example: 'web',
  },
  srs: {
    plural: m.obj_srs(),
    count: (count) => m.obj_count_srs({ count }),
    singular: m.obj_sr(),
    columns: [
      name(),
      { key: 'SR_type', label: m.obj_col_type(), kind: 'text', width: 80 },
      pool(),
      { key: 'size', label: m.common_size(), kind: 'bytes', width: 90 },
      { key: 'physical_usage', label: m.obj_col_used(), kind: 'bytes', width: 90 },
      { key: 'shared', label: m.obj_col_shared(), kind: 'bool', width: 70 },
      { key: 'content_type', label: m.obj_col_content(), kind: 'text', width: 80, hidden: true },
      tags(),
    ],
    sort: byName,
    example: 'SR_type:lvm shared?',
  },
  vdis: {
    plural: m.obj_vdis(),
    count: (count) => m.obj_count_vdis({ count }),
    singular: m.obj_vdi(),
    columns: [
      name(),
      { key: 'size', label: m.common_size(), kind: 'bytes', width: 90 },
      { key: 'usage', label: m.obj_col_used(), kind: 'bytes', width: 90 },
      { key: '$SR', label: m.obj_col_sr(), kind: 'ref', width: 160 },
      { key: '$VBDs', label: m.obj_col_attached(), kind: 'list', width: 80 },
      tags(),
    ],
    sort: byName,
    example: 'size:>10737418240',
  },
  networks: {
    plural: m.obj_networks(),
    count: (count) => m.obj_count_networks({ count }),
    singular: m.obj_network(),
    columns: [
      name(),
      { key: 'bridge', label: m.obj_col_bridge(), kind: 'text', width: 100 },
      { key: 'MTU', label: m.obj_col_mtu(), kind: 'count', width: 70 },
      pool(),
      { key: 'VIFs', label: m.obj_col_vifs(), kind: 'list', width: 60 },
      tags(),
    ],
    sort: byName,
    example: 'MTU:9000',
  },
  tasks: {
    plural: m.obj_tasks(),
    count: (count) => m.obj_count_tasks({ count }),
    singular: m.obj_task(),
    columns: [
      { key: 'properties.name', label: m.common_name(), kind: 'name', width: 260 },
      { key: 'status', label: m.obj_col_status(), kind: 'text', width: 90 },
      { key: 'start', label: m.obj_col_started(), kind: 'date', width: 150 },
      { key: 'end', label: m.obj_col_ended(), kind: 'date', width: 150 },
    ],
    sort: newest('start'),
    example: 'status:failure',
  },
  alarms: {
    plural: m.obj_alarms(),
    count: (count) => m.obj_count_alarms({ count }),
    singular: m.obj_alarm(),
    columns: [
      { key: 'name', label: m.obj_col_alarm(), kind: 'name', width: 220 },
      { key: 'time', label: m.obj_col_when(), kind: 'date', width: 150 },
      pool(),
    ],
    sort: newest('time'),
    example: 'cpu_usage',
  },
  messages: {
    plural: m.obj_messages(),
    count: (count) => m.obj_count_messages({ count }),
    singular: m.obj_message(),
    columns: [
      { key: 'name', label: m.obj_col_message(), kind: 'name', width: 220 },
      { key: 'time', label: m.obj_col_when(), kind: 'date', width: 150 },
      pool(),
      { key: 'body', label: m.obj_col_text(), kind: 'text', width: 320 },
    ],
    sort: newest('time'),
    example: 'VM_STARTED',
  },
  'backup-jobs': {
    plural: m.obj_backup_jobs(),
    count: (count) => m.obj_count_backup_jobs({ count }),
    singular: m.obj_backup_job(),
    columns: [
      { key: 'name', label: m.common_name(), kind: 'name', width: 240 },
      { key: 'type', label: m.obj_col_type(), kind: 'text', width: 100 },
      { key: 'mode', label: m.obj_col_mode(), kind: 'text', width: 90 },
    ],
    sort: { field: 'name', direction: 'asc' },
    example: 'mode:delta',
  },
  users: {
    plural: m.obj_users(),
    count: (count) => m.obj_count_users({ count }),
    singular: m.obj_user(),
    columns: [
      { key: 'email', label: m.obj_col_email(), kind: 'name', width: 260 },
      { key: 'permission', label: m.obj_col_permission(), kind: 'text', width: 100 },
      { key: 'groups', label: m.obj_col_groups(), kind: 'list', width: 80 },
    ],
    sort: { field: 'email', direction: 'asc' },
    example: 'permission:admin',
  },
  groups: {
    plural: m.obj_groups(),
    count: (count) => m.obj_count_groups({ count }),
    singular: m.obj_group(),
    columns: [
      { key: 'name', label: m.common_name(), kind: 'name', width: 240 },
      { key: 'users', label: m.obj_col_members(), kind: 'list', width: 90 },
    ],
    sort: { field: 'name', direction: 'asc' },
    example: 'admins',
  },
})

/** The object types in the navigation's order (as XO's contract lists them). */
export const NAVIGATION = Object.keys(types()) as BrowsableCollection[]

/** What the browser shows of a type of object. */
export function objectType(collection: BrowsableCollection): ObjectType {
  return { collection, ...types()[collection] }
}

/** What to call one object of any inventory collection, related-only ones included. */
export function singularOf(collection: InventoryCollection): string {
  const browsable = (types() as Partial<Record<InventoryCollection, { singular: string }>>)[
    collection
  ]
  if (browsable) return browsable.singular
  const others: Partial<Record<InventoryCollection, string>> = {
    'vdi-snapshots': m.obj_vdi_snapshot(),
    vbds: m.obj_vbd(),
    vifs: m.obj_vif(),
    pifs: m.obj_pif(),
    pbds: m.obj_pbd(),
    pcis: m.obj_pci(),
    pgpus: m.obj_pgpu(),
    schedules: m.obj_schedule(),
  }
  return others[collection] ?? collection
}

/** The field that names an object of this collection (`name_label` for XAPI objects). */
export function nameField(collection: InventoryCollection): string {
  const type = (types() as Partial<Record<InventoryCollection, { columns: Column[] }>>)[collection]
  return type?.columns.find((c) => c.kind === 'name')?.key ?? 'name_label'
}

/** An object's name as the lists show it. */
export function nameOf(collection: InventoryCollection, object: Record<string, unknown>): string {
  let value: unknown = object
  for (const key of nameField(collection).split('.')) {
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined
  }
  return typeof value === 'string' && value ? value : String(object['id'] ?? '')
}

/** "3 VMs", "2 Hosts": how many objects of any inventory collection. */
export function countOf(collection: InventoryCollection, count: number): string {
  const browsable = (
    types() as Partial<Record<InventoryCollection, Omit<ObjectType, 'collection'>>>
  )[collection]
  return browsable
    ? browsable.count(count)
    : m.obj_count_other({ count, what: singularOf(collection) })
}

/** What a row's actions read besides its columns (power state, a snapshot's VM, a template's pool). */
const ACTION_FIELDS = [
  'name_label',
  'name',
  'power_state',
  'enabled',
  'status',
  '$snapshot_of',
  '$pool',
  'tags',
]

/**
 * The fields a list asks main for: every column's (the chooser may show any) and what its actions
 * read, so a page carries no VBD lists or address maps it never shows.
 */
export function listFields(collection: BrowsableCollection): string[] {
  const columns = objectType(collection).columns.map((c) => c.key.split('.')[0] ?? c.key)
  return [...new Set([...columns, ...ACTION_FIELDS])]
}
