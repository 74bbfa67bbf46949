import type { InventoryCollection } from '@contract'
import type { XoCollections } from '@contract/xo-objects'

/** The fields XO's spec gives an object of the collection (of any variant: backup jobs have three). */
type FieldOf<C extends InventoryCollection> = XoCollections[C] extends infer T
  ? T extends unknown
    ? keyof T & string
    : never
  : never

/** Every inventory collection, each with fields its generated XO type has (a typo fails to compile). */
type InventoryFields = { readonly [C in InventoryCollection]: readonly FieldOf<C>[] }

/**
 * What the inventory keeps of each collection: the columns of its list, and the links the details'
 * related objects are found by (src-main/objects/relations.ts). Never whole objects: the Demo lab
 * can have 10,000 VMs and as many VBDs and VDIs, so only small fields. Links are kept on the small
 * side of a relation (a VIF's `$network`, not a network's `VIFs`, which would list every VM's).
 */
const FIELDS = {
  pools: ['id', 'name_label', 'master', 'default_SR', 'HA_enabled', 'tags', 'current_operations'],
  hosts: [
    'id',
    'name_label',
    'power_state',
    'enabled',
    'address',
    '$pool',
    'CPUs',
    'memory',
    'version',
    'productBrand',
    'tags',
    'current_operations',
  ],
  vms: [
    'id',
    'name_label',
    'power_state',
    '$pool',
    '$container',
    'CPUs',
    'memory',
    'mainIpAddress',
    'addresses',
    'tags',
    'current_operations',
    '$VBDs',
    'VIFs',
    'snapshots',
  ],
  'vm-templates': [
    'id',
    'name_label',
    'name_description',
    '$pool',
    'isDefaultTemplate',
    'CPUs',
    'memory',
    'tags',
  ],
  'vm-snapshots': [
    'id',
    'name_label',
    '$pool',
    '$snapshot_of',
    'snapshot_time',
    '$VBDs',
    'tags',
    'current_operations',
  ],
  srs: [
    'id',
    'name_label',
    'SR_type',
    'content_type',
    'shared',
    'size',
    'physical_usage',
    'usage',
    '$container',
    '$pool',
    'tags',
    'current_operations',
  ],
  vdis: ['id', 'name_label', 'VDI_type', 'size', 'usage', '$SR', '$VBDs', '$pool', 'tags'],
  'vdi-snapshots': [
    'id',
    'name_label',
    'size',
    'usage',
    'snapshot_time',
    '$snapshot_of',
    '$SR',
    '$VBDs',
    '$pool',
  ],
  networks: ['id', 'name_label', 'bridge', 'MTU', '$pool', 'tags'],
  vbds: ['id', 'VM', 'VDI', 'device', 'is_cd_drive', 'attached', '$pool'],
  vifs: ['id', '$VM', '$network', 'device', 'MAC', 'attached', '$pool'],
  pifs: ['id', '$host', '$network', 'device', 'ip', 'mac', 'vlan', 'attached', '$pool'],
  pbds: ['id', 'host', 'SR', 'attached', '$pool'],
  pcis: ['id', '$host', 'class_name', 'device_name', 'pci_id', '$pool'],
  pgpus: ['id', '$host', 'pci', '$pool'],
  // `properties` holds the task's name and the object it is about (`objectId`, `params.id`): small.
  // `infos`, `warnings`, `result` and sub-tasks can be large and stay out.
  tasks: ['id', 'properties', 'status', 'start', 'end', 'updatedAt', 'progress'],
  alarms: ['id', 'name', 'time', 'body', 'object', '$pool'],
  messages: ['id', 'name', 'time', 'body', '$object', '$pool'],
  // Not in XO's event stream: read at each connection and resync only.
  'backup-jobs': ['id', 'name', 'type', 'mode'],
  schedules: ['id', 'name', 'jobId', 'cron', 'enabled', 'timezone'],
  users: ['id', 'email', 'name', 'permission', 'groups'],
  groups: ['id', 'name', 'users', 'provider'],
} as const satisfies InventoryFields

/** What the inventory keeps of each collection by default: enough for lists, not whole objects. */
export const DEFAULT_INVENTORY_FIELDS: Readonly<Record<string, readonly string[]>> = FIELDS
