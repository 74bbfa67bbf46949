import type { InventoryCollection } from '@contract'
import type { ColumnKind } from './object-types'

/** A field of an object's overview. */
export interface DetailField {
  label: string
  key: string
  kind: ColumnKind
}

export interface DetailGroup {
  title: string
  fields: DetailField[]
}

const f = (label: string, key: string, kind: ColumnKind = 'text'): DetailField => ({
  label,
  key,
  kind,
})

const identity = (extra: DetailField[] = []): DetailGroup => ({
  title: 'General',
  fields: [
    f('Name', 'name_label'),
    f('Description', 'name_description'),
    ...extra,
    f('UUID', 'uuid'),
  ],
})

/** The overview of each type, grouped as an admin reads it; anything else is under "All fields". */
const GROUPS: Partial<Record<InventoryCollection, DetailGroup[]>> = {
  vms: [
    identity([
      f('Power state', 'power_state', 'power'),
      f('Pool', '$pool', 'ref'),
      f('Host', '$container', 'ref'),
    ]),
    {
      title: 'Resources',
      fields: [
        f('vCPUs', 'CPUs.number', 'count'),
        f('Max vCPUs', 'CPUs.max', 'count'),
        f('Memory', 'memory.size', 'bytes'),
        f('Dynamic memory max', 'memory.dynamic.1', 'bytes'),
      ],
    },
    {
      title: 'Guest',
      fields: [
        f('IP address', 'mainIpAddress'),
        f('Operating system', 'os_version.name'),
        f('Virtualisation', 'virtualizationMode'),
        f('Guest tools', 'pvDriversVersion'),
        f('Auto power on', 'auto_poweron', 'bool'),
        f('Started', 'startTime', 'date'),
      ],
    },
  ],
  hosts: [
    identity([
      f('Power state', 'power_state', 'power'),
      f('Enabled', 'enabled', 'bool'),
      f('Pool', '$pool', 'ref'),
      f('Address', 'address'),
    ]),
    {
      title: 'Hardware',
      fields: [
        f('CPUs', 'CPUs.cpu_count', 'count'),
        f('CPU model', 'CPUs.modelname'),
        f('Memory', 'memory.size', 'bytes'),
        f('Memory used', 'memory.usage', 'bytes'),
      ],
    },
    {
      title: 'Software',
      fields: [
        f('Product', 'productBrand'),
        f('Version', 'version'),
        f('Build', 'build'),
        f('Started', 'startTime', 'date'),
      ],
    },
  ],
  pools: [
    identity([
      f('Master', 'master', 'ref'),
      f('Default SR', 'default_SR', 'ref'),
      f('HA', 'HA_enabled', 'bool'),
    ]),
  ],
  srs: [
    identity([
      f('Type', 'SR_type'),
      f('Content', 'content_type'),
      f('Shared', 'shared', 'bool'),
      f('Pool', '$pool', 'ref'),
    ]),
    {
      title: 'Space',
      fields: [
        f('Size', 'size', 'bytes'),
        f('Used', 'physical_usage', 'bytes'),
        f('Allocated', 'usage', 'bytes'),
      ],
    },
  ],
  vdis: [
    identity([f('SR', '$SR', 'ref'), f('Type', 'VDI_type')]),
    { title: 'Space', fields: [f('Size', 'size', 'bytes'), f('Used', 'usage', 'bytes')] },
  ],
  'vm-snapshots': [identity([f('Taken', 'snapshot_time', 'date'), f('Pool', '$pool', 'ref')])],
  'vm-templates': [
    identity([f('Pool', '$pool', 'ref')]),
    {
      title: 'Resources',
      fields: [f('vCPUs', 'CPUs.number', 'count'), f('Memory', 'memory.size', 'bytes')],
    },
  ],
  networks: [
    identity([f('Bridge', 'bridge'), f('MTU', 'MTU', 'count'), f('Pool', '$pool', 'ref')]),
  ],
  alarms: [
    {
      title: 'Alarm',
      fields: [f('Name', 'name'), f('When', 'time', 'date'), f('Pool', '$pool', 'ref')],
    },
  ],
  messages: [
    {
      title: 'Message',
      fields: [
        f('Name', 'name'),
        f('When', 'time', 'date'),
        f('Text', 'body'),
        f('Pool', '$pool', 'ref'),
      ],
    },
  ],
  tasks: [
    {
      title: 'Task',
      fields: [
        f('Name', 'properties.name'),
        f('Status', 'status'),
        f('Started', 'start', 'date'),
        f('Ended', 'end', 'date'),
      ],
    },
  ],
  users: [{ title: 'User', fields: [f('Email', 'email'), f('Permission', 'permission')] }],
  groups: [{ title: 'Group', fields: [f('Name', 'name'), f('Members', 'users', 'list')] }],
  'backup-jobs': [
    { title: 'Backup job', fields: [f('Name', 'name'), f('Type', 'type'), f('Mode', 'mode')] },
  ],
}

export function detailGroups(collection: InventoryCollection): DetailGroup[] {
  return GROUPS[collection] ?? [identity()]
}

/** Relation keys as the details show them. */
const RELATIONS: Record<string, string> = {
  host: 'Host',
  pool: 'Pool',
  master: 'Master host',
  srs: 'Storage (SRs)',
  vdis: 'Disks',
  vifs: 'Network interfaces',
  snapshots: 'Snapshots',
  vms: 'VMs',
  hosts: 'Hosts',
  pifs: 'Physical interfaces',
  pcis: 'PCI devices',
  pgpus: 'GPUs',
  networks: 'Networks',
  vm: 'VM',
  object: 'Concerns',
  template: 'Template',
}

export function relationLabel(relation: string): string {
  return RELATIONS[relation] ?? relation
}
