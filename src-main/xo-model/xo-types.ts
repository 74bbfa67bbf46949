/**
 * XO's type name for the objects of each XAPI-backed REST collection (`type`, `objectType`, SSE
 * subscription names; docs/xo-rest-api.md#what-objects-look-like). One table for the client, the
 * inventory and the simulator.
 */
export const XO_TYPE_OF_COLLECTION = {
  pools: 'pool',
  hosts: 'host',
  vms: 'VM',
  'vm-templates': 'VM-template',
  'vm-snapshots': 'VM-snapshot',
  'vm-controllers': 'VM-controller',
  srs: 'SR',
  vdis: 'VDI',
  'vdi-snapshots': 'VDI-snapshot',
  vbds: 'VBD',
  vifs: 'VIF',
  pifs: 'PIF',
  pbds: 'PBD',
  pcis: 'PCI',
  pgpus: 'PGPU',
  sms: 'SM',
  networks: 'network',
  messages: 'message',
  alarms: 'alarm',
  tasks: 'task',
} as const

export type XapiCollection = keyof typeof XO_TYPE_OF_COLLECTION
export type XoTypeName = (typeof XO_TYPE_OF_COLLECTION)[XapiCollection]

/** The collection of an XO type name (`VM` → `vms`). */
export const COLLECTION_OF_XO_TYPE = Object.fromEntries(
  Object.entries(XO_TYPE_OF_COLLECTION).map(([collection, type]) => [type, collection]),
) as Record<XoTypeName, XapiCollection>
