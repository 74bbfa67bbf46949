import type { InventoryCollection } from '@contract'
import { m } from '../../paraglide/messages.js'
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
  title: m.det_general(),
  fields: [
    f(m.common_name(), 'name_label'),
    f(m.det_description(), 'name_description'),
    ...extra,
    f('UUID', 'uuid'),
  ],
})

/** The overview of each type, grouped as an admin reads it; anything else is under "All fields". */
const groups = (): Partial<Record<InventoryCollection, DetailGroup[]>> => ({
  vms: [
    identity([
      f(m.obj_col_power(), 'power_state', 'power'),
      f(m.obj_col_pool(), '$pool', 'ref'),
      f(m.obj_col_host(), '$container', 'ref'),
    ]),
    {
      title: m.det_resources(),
      fields: [
        f(m.det_vcpus(), 'CPUs.number', 'count'),
        f(m.det_max_vcpus(), 'CPUs.max', 'count'),
        f(m.obj_col_memory(), 'memory.size', 'bytes'),
        f(m.det_dynamic_memory_max(), 'memory.dynamic.1', 'bytes'),
      ],
    },
    {
      title: m.det_guest(),
      fields: [
        f(m.obj_col_ip(), 'mainIpAddress'),
        f(m.det_os(), 'os_version.name'),
        f(m.det_virtualisation(), 'virtualizationMode'),
        f(m.det_guest_tools(), 'pvDriversVersion'),
        f(m.det_auto_power_on(), 'auto_poweron', 'bool'),
        f(m.obj_col_started(), 'startTime', 'date'),
      ],
    },
  ],
  hosts: [
    identity([
      f(m.obj_col_power(), 'power_state', 'power'),
      f(m.obj_col_enabled(), 'enabled', 'bool'),
      f(m.obj_col_pool(), '$pool', 'ref'),
      f(m.obj_col_address(), 'address'),
    ]),
    {
      title: m.det_hardware(),
      fields: [
        f(m.obj_col_cpus(), 'CPUs.cpu_count', 'count'),
        f(m.det_cpu_model(), 'CPUs.modelname'),
        f(m.obj_col_memory(), 'memory.size', 'bytes'),
        f(m.det_memory_used(), 'memory.usage', 'bytes'),
      ],
    },
    {
      title: m.det_software(),
      fields: [
        f(m.obj_col_product(), 'productBrand'),
        f(m.obj_col_version(), 'version'),
        f(m.det_build(), 'build'),
        f(m.obj_col_started(), 'startTime', 'date'),
      ],
    },
  ],
  pools: [
    identity([
      f(m.obj_col_master(), 'master', 'ref'),
      f(m.obj_col_default_sr(), 'default_SR', 'ref'),
      f(m.obj_col_ha(), 'HA_enabled', 'bool'),
    ]),
  ],
  srs: [
    identity([
      f(m.obj_col_type(), 'SR_type'),
      f(m.obj_col_content(), 'content_type'),
      f(m.obj_col_shared(), 'shared', 'bool'),
      f(m.obj_col_pool(), '$pool', 'ref'),
    ]),
    {
      title: m.det_space(),
      fields: [
        f(m.common_size(), 'size', 'bytes'),
        f(m.obj_col_used(), 'physical_usage', 'bytes'),
        f(m.det_allocated(), 'usage', 'bytes'),
      ],
    },
  ],
  vdis: [
    identity([f(m.obj_col_sr(), '$SR', 'ref'), f(m.obj_col_type(), 'VDI_type')]),
    {
      title: m.det_space(),
      fields: [f(m.common_size(), 'size', 'bytes'), f(m.obj_col_used(), 'usage', 'bytes')],
    },
  ],
  'vm-snapshots': [
    identity([f(m.obj_col_taken(), 'snapshot_time', 'date'), f(m.obj_col_pool(), '$pool', 'ref')]),
  ],
  'vm-templates': [
    identity([f(m.obj_col_pool(), '$pool', 'ref')]),
    {
      title: m.det_resources(),
      fields: [
        f(m.det_vcpus(), 'CPUs.number', 'count'),
        f(m.obj_col_memory(), 'memory.size', 'bytes'),
      ],
    },
  ],
  networks: [
    identity([
      f(m.obj_col_bridge(), 'bridge'),
      f(m.obj_col_mtu(), 'MTU', 'count'),
      f(m.obj_col_pool(), '$pool', 'ref'),
    ]),
  ],
  alarms: [
    {
      title: m.obj_alarm(),
      fields: [
        f(m.common_name(), 'name'),
        f(m.obj_col_when(), 'time', 'date'),
        f(m.obj_col_pool(), '$pool', 'ref'),
      ],
    },
  ],
  messages: [
    {
      title: m.obj_message(),
      fields: [
        f(m.common_name(), 'name'),
        f(m.obj_col_when(), 'time', 'date'),
        f(m.obj_col_text(), 'body'),
        f(m.obj_col_pool(), '$pool', 'ref'),
      ],
    },
  ],
  tasks: [
    {
      title: m.det_task(),
      fields: [
        f(m.common_name(), 'properties.name'),
        f(m.obj_col_status(), 'status'),
        f(m.obj_col_started(), 'start', 'date'),
        f(m.obj_col_ended(), 'end', 'date'),
      ],
    },
  ],
  users: [
    {
      title: m.obj_user(),
      fields: [f(m.obj_col_email(), 'email'), f(m.obj_col_permission(), 'permission')],
    },
  ],
  groups: [
    {
      title: m.obj_group(),
      fields: [f(m.common_name(), 'name'), f(m.obj_col_members(), 'users', 'list')],
    },
  ],
  'backup-jobs': [
    {
      title: m.obj_backup_job(),
      fields: [
        f(m.common_name(), 'name'),
        f(m.obj_col_type(), 'type'),
        f(m.obj_col_mode(), 'mode'),
      ],
    },
  ],
})

export function detailGroups(collection: InventoryCollection): DetailGroup[] {
  return groups()[collection] ?? [identity()]
}

/** Relation keys as the details show them, in the language shown when asked. */
const RELATIONS: Record<string, () => string> = {
  host: m.obj_host,
  pool: m.obj_pool,
  master: m.rel_master,
  srs: m.obj_srs,
  vdis: m.rel_disks,
  vifs: m.rel_vifs,
  snapshots: m.obj_snapshots,
  vms: m.obj_vms,
  hosts: m.obj_hosts,
  pifs: m.rel_pifs,
  pcis: m.rel_pcis,
  pgpus: m.rel_pgpus,
  networks: m.obj_networks,
  vm: m.obj_vm,
  object: m.rel_object,
  template: m.obj_template,
  job: m.obj_backup_job,
  schedules: m.rel_schedules,
  users: m.obj_users,
  groups: m.obj_groups,
}

export function relationLabel(relation: string): string {
  return RELATIONS[relation]?.() ?? relation
}
