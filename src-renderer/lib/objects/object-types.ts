import type { BrowsableCollection, InventoryCollection, InventorySort } from '@contract'

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
  columns: Column[]
  sort: InventorySort
  /** An example search for the filter's placeholder (XO's syntax). */
  example: string
}

const name = (width = 220): Column => ({ key: 'name_label', label: 'Name', kind: 'name', width })
const tags: Column = { key: 'tags', label: 'Tags', kind: 'tags', width: 160 }
const pool: Column = { key: '$pool', label: 'Pool', kind: 'ref', width: 140 }
const byName: InventorySort = { field: 'name_label', direction: 'asc' }
const newest = (field: string): InventorySort => ({ field, direction: 'desc' })

const TYPES: Record<BrowsableCollection, Omit<ObjectType, 'collection'>> = {
  pools: {
    plural: 'Pools',
    singular: 'Pool',
    columns: [
      name(),
      { key: 'master', label: 'Master', kind: 'ref', width: 160 },
      { key: 'HA_enabled', label: 'HA', kind: 'bool', width: 70 },
      { key: 'default_SR', label: 'Default SR', kind: 'ref', width: 160 },
      tags,
    ],
    sort: byName,
    example: 'tags:prod',
  },
  hosts: {
    plural: 'Hosts',
    singular: 'Host',
    columns: [
      name(),
      { key: 'power_state', label: 'Power state', kind: 'power', width: 110 },
      { key: 'enabled', label: 'Enabled', kind: 'bool', width: 80 },
      pool,
      { key: 'address', label: 'Address', kind: 'text', width: 130 },
      { key: 'CPUs.cpu_count', label: 'CPUs', kind: 'count', width: 60 },
      { key: 'memory.size', label: 'Memory', kind: 'bytes', width: 90 },
      { key: 'version', label: 'Version', kind: 'text', width: 90 },
      { key: 'productBrand', label: 'Product', kind: 'text', width: 90, hidden: true },
      tags,
    ],
    sort: byName,
    example: 'power_state:Running enabled?',
  },
  vms: {
    plural: 'VMs',
    singular: 'VM',
    columns: [
      name(),
      { key: 'power_state', label: 'Power state', kind: 'power', width: 112 },
      pool,
      { key: '$container', label: 'Host', kind: 'ref', width: 150 },
      { key: 'CPUs.number', label: 'CPUs', kind: 'count', width: 56 },
      { key: 'memory.size', label: 'Memory', kind: 'bytes', width: 80 },
      { key: 'mainIpAddress', label: 'IP address', kind: 'text', width: 120 },
      tags,
    ],
    sort: byName,
    example: 'power_state:Running tags:prod web',
  },
  'vm-templates': {
    plural: 'Templates',
    singular: 'Template',
    columns: [
      name(260),
      pool,
      { key: 'CPUs.number', label: 'CPUs', kind: 'count', width: 60 },
      { key: 'memory.size', label: 'Memory', kind: 'bytes', width: 90 },
      tags,
    ],
    sort: byName,
    example: 'debian',
  },
  'vm-snapshots': {
    plural: 'Snapshots',
    singular: 'Snapshot',
    columns: [
      name(260),
      { key: 'snapshot_time', label: 'Taken', kind: 'date', width: 150 },
      pool,
      tags,
    ],
    sort: newest('snapshot_time'),
    example: 'web',
  },
  srs: {
    plural: 'Storage (SRs)',
    singular: 'SR',
    columns: [
      name(),
      { key: 'SR_type', label: 'Type', kind: 'text', width: 80 },
      pool,
      { key: 'size', label: 'Size', kind: 'bytes', width: 90 },
      { key: 'physical_usage', label: 'Used', kind: 'bytes', width: 90 },
      { key: 'shared', label: 'Shared', kind: 'bool', width: 70 },
      { key: 'content_type', label: 'Content', kind: 'text', width: 80, hidden: true },
      tags,
    ],
    sort: byName,
    example: 'SR_type:lvm shared?',
  },
  vdis: {
    plural: 'Disks (VDIs)',
    singular: 'VDI',
    columns: [
      name(),
      { key: 'size', label: 'Size', kind: 'bytes', width: 90 },
      { key: 'usage', label: 'Used', kind: 'bytes', width: 90 },
      { key: '$SR', label: 'SR', kind: 'ref', width: 160 },
      { key: '$VBDs', label: 'Attached', kind: 'list', width: 80 },
      tags,
    ],
    sort: byName,
    example: 'size:>10737418240',
  },
  networks: {
    plural: 'Networks',
    singular: 'Network',
    columns: [
      name(),
      { key: 'bridge', label: 'Bridge', kind: 'text', width: 100 },
      { key: 'MTU', label: 'MTU', kind: 'count', width: 70 },
      pool,
      { key: 'VIFs', label: 'VIFs', kind: 'list', width: 60 },
      tags,
    ],
    sort: byName,
    example: 'MTU:9000',
  },
  tasks: {
    plural: 'XO tasks',
    singular: 'XO task',
    columns: [
      { key: 'properties.name', label: 'Name', kind: 'name', width: 260 },
      { key: 'status', label: 'Status', kind: 'text', width: 90 },
      { key: 'start', label: 'Started', kind: 'date', width: 150 },
      { key: 'end', label: 'Ended', kind: 'date', width: 150 },
    ],
    sort: newest('start'),
    example: 'status:failure',
  },
  alarms: {
    plural: 'Alarms',
    singular: 'Alarm',
    columns: [
      { key: 'name', label: 'Alarm', kind: 'name', width: 220 },
      { key: 'time', label: 'When', kind: 'date', width: 150 },
      pool,
    ],
    sort: newest('time'),
    example: 'cpu_usage',
  },
  messages: {
    plural: 'Messages',
    singular: 'Message',
    columns: [
      { key: 'name', label: 'Message', kind: 'name', width: 220 },
      { key: 'time', label: 'When', kind: 'date', width: 150 },
      pool,
      { key: 'body', label: 'Text', kind: 'text', width: 320 },
    ],
    sort: newest('time'),
    example: 'VM_STARTED',
  },
  'backup-jobs': {
    plural: 'Backup jobs',
    singular: 'Backup job',
    columns: [
      { key: 'name', label: 'Name', kind: 'name', width: 240 },
      { key: 'type', label: 'Type', kind: 'text', width: 100 },
      { key: 'mode', label: 'Mode', kind: 'text', width: 90 },
    ],
    sort: { field: 'name', direction: 'asc' },
    example: 'mode:delta',
  },
  users: {
    plural: 'Users',
    singular: 'User',
    columns: [
      { key: 'email', label: 'Email', kind: 'name', width: 260 },
      { key: 'permission', label: 'Permission', kind: 'text', width: 100 },
      { key: 'groups', label: 'Groups', kind: 'list', width: 80 },
    ],
    sort: { field: 'email', direction: 'asc' },
    example: 'permission:admin',
  },
  groups: {
    plural: 'Groups',
    singular: 'Group',
    columns: [
      { key: 'name', label: 'Name', kind: 'name', width: 240 },
      { key: 'users', label: 'Members', kind: 'list', width: 90 },
    ],
    sort: { field: 'name', direction: 'asc' },
    example: 'admins',
  },
}

/** The object types in the navigation's order (as XO's contract lists them). */
export const NAVIGATION = Object.keys(TYPES) as BrowsableCollection[]

/** What the browser shows of a type of object. */
export function objectType(collection: BrowsableCollection): ObjectType {
  return { collection, ...TYPES[collection] }
}

/** What to call one object of any inventory collection, related-only ones included. */
export function singularOf(collection: InventoryCollection): string {
  const browsable = (TYPES as Partial<Record<InventoryCollection, { singular: string }>>)[
    collection
  ]
  if (browsable) return browsable.singular
  const others: Partial<Record<InventoryCollection, string>> = {
    'vdi-snapshots': 'Disk snapshot',
    vbds: 'VBD',
    vifs: 'Network interface (VIF)',
    pifs: 'Physical interface (PIF)',
    pbds: 'PBD',
    pcis: 'PCI device',
    pgpus: 'GPU',
    schedules: 'Schedule',
  }
  return others[collection] ?? collection
}

/** The field that names an object of this collection (`name_label` for XAPI objects). */
export function nameField(collection: InventoryCollection): string {
  const type = (TYPES as Partial<Record<InventoryCollection, { columns: Column[] }>>)[collection]
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
