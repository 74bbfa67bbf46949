import type { InventoryCollection, ObjectDetails, ObjectRef } from '@contract'
import type { InventoryObject } from '@contract/inventory'
import { AppFailure } from '../app-failure'
import type { Instance } from '../instances/instance-registry'
import { relatedOf, taskObjectId } from './relations'

/** The most tasks the details show: XO keeps every task it ran since it started. */
export const MAX_TASKS = 50

/**
 * An object in full, its related objects, and its alarms, messages and tasks. The object is read
 * from XO (`GET /<collection>/{id}` answers it whole); when XO cannot be reached, the inventory's
 * copy stands in, marked not fresh. Everything else comes from the inventory.
 */
export async function readObjectDetails(
  instance: Instance,
  ref: ObjectRef,
  signal: AbortSignal,
): Promise<ObjectDetails> {
  const cache = instance.live.cache
  const { object, fresh } = await readObject(instance, ref, signal)
  return {
    ref,
    object,
    fresh,
    related: relatedOf(cache, ref),
    alarms: newestFirst(
      cache.all('alarms').filter((alarm) => alarmObjectId(alarm) === ref.id),
      'time',
    ),
    messages: newestFirst(
      cache.all('messages').filter((message) => message['$object'] === ref.id),
      'time',
    ),
    tasks: newestFirst(
      cache.all('tasks').filter((task) => taskObjectId(task) === ref.id),
      'start',
    ).slice(0, MAX_TASKS),
  }
}

/** XO's copy when it answers, else the inventory's (`fresh: false`) when XO cannot be reached. */
async function readObject(
  instance: Instance,
  ref: ObjectRef,
  signal: AbortSignal,
): Promise<{ object: InventoryObject; fresh: boolean }> {
  const cached = instance.live.cache.get(ref.collection, ref.id)
  // No request when the event stream says XO is out of reach: the inventory's copy answers at once.
  if (cached && instance.live.connection().state !== 'live') return { object: cached, fresh: false }
  try {
    const whole = (await instance.client.get(ref.collection, ref.id, signal)) as Record<
      string,
      unknown
    >
    return { object: withoutHref({ ...whole, id: ref.id }), fresh: true }
  } catch (err) {
    const code = err instanceof AppFailure ? err.appError.code : undefined
    if (code === 'not-found') throw noLongerExists(instance, ref.collection)
    if (cached && (code === 'unreachable' || code === 'timeout')) {
      return { object: cached, fresh: false }
    }
    // Not cached and XO out of reach: XO's own failure says so.
    throw err
  }
}

/** Why an object the browser linked to cannot be shown. */
function noLongerExists(instance: Instance, collection: InventoryCollection): AppFailure {
  return new AppFailure(
    'not-found',
    `This ${TYPE_NAMES[collection]} no longer exists on ${instance.label}.`,
    'It was deleted or moved; go back to the list.',
  )
}

/** The object an alarm is about (`object: {type, uuid}`, dist/alarms/alarm.service.mjs). */
function alarmObjectId(alarm: InventoryObject): unknown {
  return (alarm['object'] as { uuid?: unknown } | undefined)?.uuid
}

function newestFirst(items: InventoryObject[], field: string): InventoryObject[] {
  const time = (item: InventoryObject): number => {
    const value = item[field]
    return typeof value === 'number' ? value : -Infinity
  }
  return items.sort((a, b) => time(b) - time(a))
}

function withoutHref(object: Record<string, unknown> & { id: string }): InventoryObject {
  const { href: _href, ...rest } = object
  return rest as InventoryObject
}

/** How a message names an object type. */
const TYPE_NAMES: Readonly<Record<InventoryCollection, string>> = {
  pools: 'pool',
  hosts: 'host',
  vms: 'VM',
  'vm-templates': 'VM template',
  'vm-snapshots': 'VM snapshot',
  srs: 'SR',
  vdis: 'disk',
  networks: 'network',
  tasks: 'task',
  alarms: 'alarm',
  messages: 'message',
  'backup-jobs': 'backup job',
  users: 'user',
  groups: 'group',
  'vdi-snapshots': 'disk snapshot',
  vbds: 'VBD',
  vifs: 'network interface',
  pifs: 'host network interface',
  pbds: 'storage connection',
  pcis: 'PCI device',
  pgpus: 'GPU',
  schedules: 'schedule',
}
