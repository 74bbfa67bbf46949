import type { InventoryCollection, ObjectRef, RelatedGroup, RelatedObject } from '@contract'
import { INVENTORY_COLLECTIONS } from '@contract'
import type { InventoryObject } from '@contract/inventory'
import type { InventoryCache } from '../inventory/inventory-cache'
import { COLLECTION_OF_XO_TYPE, type XoTypeName } from '../xo-model/xo-types'

/** What relations read of the inventory. */
export type InventoryReader = Pick<InventoryCache, 'get' | 'all'>

/**
 * The objects related to one object, found in the inventory alone (no request to XO), by the links
 * src-main/inventory/inventory-fields.ts keeps: a VM's host, pool, disks, SRs, network interfaces
 * and snapshots; a host's VMs, devices and SRs; and so on. Groups with no items are left out;
 * items are sorted by name.
 */
export function relatedOf(
  cache: InventoryReader,
  ref: Pick<ObjectRef, 'collection' | 'id'>,
): RelatedGroup[] {
  const object = cache.get(ref.collection, ref.id)
  if (!object) return []
  const r = new Relations(cache)
  const build = BUILDERS[ref.collection]
  return build ? build(r, object).filter((group) => group !== undefined) : []
}

type Builder = (r: Relations, object: InventoryObject) => (RelatedGroup | undefined)[]

const BUILDERS: Partial<Record<InventoryCollection, Builder>> = {
  vms: (r, vm) => {
    const disks = r.disksOf(vm, 'vdis')
    return [
      // A halted VM's `$container` is its pool: only a host it runs on is a host.
      r.group('host', 'hosts', [r.byId('hosts', vm['$container'])]),
      r.group('pool', 'pools', [r.byId('pools', vm['$pool'])]),
      r.group('srs', 'srs', unique(disks.map((disk) => r.byId('srs', disk.object['$SR'])))),
      r.group('vdis', 'vdis', disks),
      r.group('vifs', 'vifs', r.idsOf(vm, 'VIFs', 'vifs')),
      r.group('snapshots', 'vm-snapshots', r.where('vm-snapshots', '$snapshot_of', vm.id)),
    ]
  },
  'vm-snapshots': (r, snapshot) => [
    r.group('vm', 'vms', [r.byId('vms', snapshot['$snapshot_of'])]),
    r.group('pool', 'pools', [r.byId('pools', snapshot['$pool'])]),
    r.group('vdis', 'vdi-snapshots', r.disksOf(snapshot, 'vdi-snapshots')),
  ],
  'vm-templates': (r, template) => [r.group('pool', 'pools', [r.byId('pools', template['$pool'])])],
  hosts: (r, host) => [
    r.group('pool', 'pools', [r.byId('pools', host['$pool'])]),
    r.group('vms', 'vms', r.where('vms', '$container', host.id)),
    r.group(
      'srs',
      'srs',
      unique(r.where('pbds', 'host', host.id).map((pbd) => r.byId('srs', pbd.object['SR']))),
    ),
    r.group('pifs', 'pifs', r.where('pifs', '$host', host.id)),
    r.group('pcis', 'pcis', r.where('pcis', '$host', host.id)),
    r.group('pgpus', 'pgpus', r.where('pgpus', '$host', host.id)),
  ],
  pools: (r, pool) => [
    r.group('master', 'hosts', [r.byId('hosts', pool['master'])]),
    r.group('hosts', 'hosts', r.where('hosts', '$pool', pool.id)),
    r.group('srs', 'srs', r.where('srs', '$pool', pool.id)),
    r.group('networks', 'networks', r.where('networks', '$pool', pool.id)),
  ],
  srs: (r, sr) => [
    r.group('pool', 'pools', [r.byId('pools', sr['$pool'])]),
    r.group(
      'hosts',
      'hosts',
      unique(r.where('pbds', 'SR', sr.id).map((pbd) => r.byId('hosts', pbd.object['host']))),
    ),
    r.group('vdis', 'vdis', r.where('vdis', '$SR', sr.id)),
  ],
  vdis: (r, vdi) => [
    r.group('srs', 'srs', [r.byId('srs', vdi['$SR'])]),
    r.group('pool', 'pools', [r.byId('pools', vdi['$pool'])]),
    r.group(
      'vms',
      'vms',
      unique(r.idsOf(vdi, '$VBDs', 'vbds').map((vbd) => r.byId('vms', vbd.object['VM']))),
    ),
    r.group('snapshots', 'vdi-snapshots', r.where('vdi-snapshots', '$snapshot_of', vdi.id)),
  ],
  'vdi-snapshots': (r, snapshot) => [
    r.group('vdis', 'vdis', [r.byId('vdis', snapshot['$snapshot_of'])]),
    r.group('srs', 'srs', [r.byId('srs', snapshot['$SR'])]),
    r.group('pool', 'pools', [r.byId('pools', snapshot['$pool'])]),
  ],
  networks: (r, network) => {
    const vifs = r.where('vifs', '$network', network.id)
    return [
      r.group('pool', 'pools', [r.byId('pools', network['$pool'])]),
      r.group('vms', 'vms', unique(vifs.map((vif) => r.byId('vms', vif.object['$VM'])))),
      r.group('vifs', 'vifs', vifs),
      r.group('pifs', 'pifs', r.where('pifs', '$network', network.id)),
    ]
  },
  vbds: (r, vbd) => [
    r.group('vm', 'vms', [r.byId('vms', vbd['VM'])]),
    r.group('vdis', 'vdis', [r.byId('vdis', vbd['VDI'])]),
  ],
  vifs: (r, vif) => [
    r.group('vm', 'vms', [r.byId('vms', vif['$VM'])]),
    r.group('networks', 'networks', [r.byId('networks', vif['$network'])]),
  ],
  pifs: (r, pif) => [
    r.group('host', 'hosts', [r.byId('hosts', pif['$host'])]),
    r.group('networks', 'networks', [r.byId('networks', pif['$network'])]),
  ],
  pbds: (r, pbd) => [
    r.group('host', 'hosts', [r.byId('hosts', pbd['host'])]),
    r.group('srs', 'srs', [r.byId('srs', pbd['SR'])]),
  ],
  pcis: (r, pci) => [r.group('host', 'hosts', [r.byId('hosts', pci['$host'])])],
  pgpus: (r, pgpu) => [r.group('host', 'hosts', [r.byId('hosts', pgpu['$host'])])],
  // An alarm names its object with XO's type (`object: {type, uuid}`, dist/alarms/alarm.service.mjs).
  alarms: (r, alarm) => {
    const object = alarm['object'] as { type?: unknown; uuid?: unknown } | undefined
    return [r.objectGroup(object?.uuid, object?.type)]
  },
  messages: (r, message) => [r.objectGroup(message['$object'])],
  // XO's actions record their object as `properties.objectId`, others as `properties.params.id`
  // (dist/abstract-classes/base-controller.mjs, getTasksForObject).
  tasks: (r, task) => [
    r.objectGroup(
      taskObjectId(task),
      (task['properties'] as TaskProperties | undefined)?.objectType,
    ),
  ],
  'backup-jobs': (r, job) => [
    r.group('schedules', 'schedules', r.where('schedules', 'jobId', job.id)),
  ],
  schedules: (r, schedule) => [
    r.group('job', 'backup-jobs', [r.byId('backup-jobs', schedule['jobId'])]),
  ],
  users: (r, user) => [r.group('groups', 'groups', r.idsOf(user, 'groups', 'groups'))],
  groups: (r, group) => [r.group('users', 'users', r.idsOf(group, 'users', 'users'))],
}

/** What a task says of the object it is about. */
export interface TaskProperties {
  objectId?: string
  objectType?: string
  params?: { id?: string }
}

/** The object a task is about, when it says (see {@link BUILDERS}' `tasks`). */
export function taskObjectId(task: InventoryObject): string | undefined {
  const properties = task['properties'] as TaskProperties | undefined
  const id = properties?.objectId ?? properties?.params?.id
  return typeof id === 'string' ? id : undefined
}

interface Linked {
  object: InventoryObject
  /** Said instead of the collection's usual detail (a disk's device with its size). */
  detail?: string
}

class Relations {
  readonly #cache: InventoryReader

  constructor(cache: InventoryReader) {
    this.#cache = cache
  }

  /** The object with this id, if the value is an id the collection has. */
  byId(collection: InventoryCollection, id: unknown): Linked | undefined {
    if (typeof id !== 'string') return undefined
    const object = this.#cache.get(collection, id)
    return object ? { object } : undefined
  }

  /** The objects a list field names (`VIFs`, `groups`). */
  idsOf(object: InventoryObject, field: string, collection: InventoryCollection): Linked[] {
    const ids = object[field]
    return Array.isArray(ids) ? ids.map((id) => this.byId(collection, id)).filter(isLinked) : []
  }

  /** The objects of a collection whose field holds this id (the hosts whose `$pool` is the pool). */
  where(collection: InventoryCollection, field: string, id: string): Linked[] {
    return this.#cache
      .all(collection)
      .filter((object) => object[field] === id)
      .map((object) => ({ object }))
  }

  /**
   * The disks a VM-like object reaches through its VBDs, with their device and size as detail (as
   * `GET /vms/{id}/vdis` finds them); CD drives are left out: an ISO is not one of its disks.
   */
  disksOf(vm: InventoryObject, collection: 'vdis' | 'vdi-snapshots'): Linked[] {
    const disks: Linked[] = []
    for (const { object: vbd } of this.idsOf(vm, '$VBDs', 'vbds')) {
      if (vbd['is_cd_drive'] === true) continue
      const disk = this.byId(collection, vbd['VDI'])
      const detail = disk && joined(vbd['device'], bytes(disk.object['size']))
      if (disk) disks.push(detail ? { ...disk, detail } : disk)
    }
    return disks
  }

  /**
   * The object a message, alarm or task is about: in the collection its XO type names, else
   * wherever the inventory has that id.
   */
  objectGroup(id: unknown, xoType?: unknown): RelatedGroup | undefined {
    if (typeof id !== 'string') return undefined
    const named =
      typeof xoType === 'string' && Object.hasOwn(COLLECTION_OF_XO_TYPE, xoType)
        ? COLLECTION_OF_XO_TYPE[xoType as XoTypeName]
        : undefined
    const searched = INVENTORY_COLLECTIONS.filter((c) => c !== named)
    for (const collection of named ? [named, ...searched] : searched) {
      const found = this.byId(collection as InventoryCollection, id)
      if (found) return this.group('object', collection as InventoryCollection, [found])
    }
    return undefined
  }

  /** A group of related objects, named and sorted; undefined when it has none. */
  group(
    relation: string,
    collection: InventoryCollection,
    items: readonly (Linked | undefined)[],
  ): RelatedGroup | undefined {
    const related = items.filter(isLinked).map((item) => this.#related(collection, item))
    if (related.length === 0) return undefined
    related.sort((a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1))
    return { relation, collection, items: related }
  }

  #related(collection: InventoryCollection, { object, detail }: Linked): RelatedObject {
    const shown = detail ?? this.#detail(collection, object)
    return {
      collection,
      id: object.id,
      name: this.#name(collection, object),
      ...(shown ? { detail: shown } : {}),
    }
  }

  #name(collection: InventoryCollection, object: InventoryObject): string {
    if (collection === 'pgpus') {
      const pci = this.#cache.get('pcis', String(object['pci']))
      if (typeof pci?.['device_name'] === 'string') return pci['device_name']
    }
    if (collection === 'tasks') {
      const name = (object['properties'] as { name?: unknown } | undefined)?.name
      if (typeof name === 'string' && name) return name
    }
    for (const field of NAME_FIELDS[collection] ?? DEFAULT_NAME_FIELDS) {
      const value = object[field]
      if (typeof value === 'string' && value) return value
    }
    return object.id
  }

  #detail(collection: InventoryCollection, object: InventoryObject): string | undefined {
    switch (collection) {
      case 'vdis':
      case 'vdi-snapshots':
        return bytes(object['size'])
      case 'vifs':
        return joined(
          object['MAC'],
          this.#nameOf('networks', object['$network']),
          this.#nameOf('vms', object['$VM']),
        )
      case 'pifs':
        return joined(object['ip'], this.#nameOf('hosts', object['$host']))
      case 'pcis':
        return joined(object['class_name'], object['pci_id'])
      case 'hosts':
      case 'vms':
        return joined(object['power_state'])
      case 'srs':
        return joined(object['SR_type'])
      default:
        return undefined
    }
  }

  #nameOf(collection: InventoryCollection, id: unknown): string | undefined {
    const linked = this.byId(collection, id)
    return linked ? this.#name(collection, linked.object) : undefined
  }
}

function isLinked(value: Linked | undefined): value is Linked {
  return value !== undefined
}

/** What names an object that has no `name_label` (a PIF's device, a user's e-mail…). */
const DEFAULT_NAME_FIELDS = ['name_label', 'name', 'device']
const NAME_FIELDS: Partial<Record<InventoryCollection, readonly string[]>> = {
  pcis: ['device_name', 'pci_id'],
  users: ['name', 'email'],
  vbds: ['device'],
  vifs: ['device'],
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Each object once (a VM with two disks on one SR). */
function unique(items: readonly (Linked | undefined)[]): Linked[] {
  const seen = new Map<string, Linked>()
  for (const item of items) if (item && !seen.has(item.object.id)) seen.set(item.object.id, item)
  return [...seen.values()]
}

/** The parts that are non-empty strings, joined as one short line. */
function joined(...parts: unknown[]): string | undefined {
  const text = parts.filter((p) => typeof p === 'string' && p !== '').join(' · ')
  return text || undefined
}

/** A size in binary units, as XO shows disk sizes (`40 GiB`). */
export function bytes(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let size = value
  let unit = 0
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024
    unit++
  }
  const shown = size >= 10 || unit === 0 ? Math.round(size) : Math.round(size * 10) / 10
  return `${shown} ${units[unit]}`
}
