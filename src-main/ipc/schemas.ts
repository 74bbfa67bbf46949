import { BROWSABLE_COLLECTIONS, INVENTORY_COLLECTIONS, type ExportCollection } from '@contract'
import { z } from 'zod'
import type { Schemas } from './router'

/**
 * Input schemas for every method in the contract. Everything from the renderer is untrusted:
 * objects are strict (unknown keys are refused) and strings and numbers are bounded.
 */
const instanceId = z.string().min(1).max(200)
const fingerprint256 = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 fingerprint')
const signIn = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('token'), token: z.string().min(1).max(4_096) }),
  z.strictObject({
    method: z.literal('password'),
    user: z.string().min(1).max(320),
    password: z.string().min(1).max(4_096),
    otp: z
      .string()
      .regex(/^\d{6,8}$/)
      .optional(),
    expiresIn: z.string().max(40).optional(),
  }),
])
const collection = z.enum(INVENTORY_COLLECTIONS)
const objectId = z.string().min(1).max(200)
const name = z.string().trim().min(1).max(200)
const confirmName = z.string().max(200).optional()
const objectRef = z.strictObject({ instanceId, collection, id: objectId })
/** What every variant of `ObjectAction` has besides its collection, action and body. */
const onObject = { instanceId, id: objectId, confirmName }
const objectAction = z.union([
  z.strictObject({
    ...onObject,
    collection: z.literal('vms'),
    action: z.enum([
      'start',
      'clean_shutdown',
      'hard_shutdown',
      'clean_reboot',
      'hard_reboot',
      'pause',
      'unpause',
      'suspend',
      'resume',
    ]),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('vms'),
    action: z.literal('snapshot'),
    params: z.strictObject({ name_label: name.optional() }).optional(),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('vms'),
    action: z.literal('clone'),
    params: z
      .strictObject({ name_label: name.optional(), fast: z.boolean().optional() })
      .optional(),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('vms'),
    action: z.literal('migrate'),
    params: z.strictObject({
      hostId: objectId,
      srId: objectId.optional(),
      migrationNetworkId: objectId.optional(),
    }),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('vms'),
    action: z.literal('revert_snapshot'),
    params: z.strictObject({ snapshotId: objectId, snapshotBefore: z.boolean().optional() }),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('hosts'),
    action: z.enum(['enable', 'clean_reboot', 'smart_reboot', 'restart_toolstack', 'start']),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('hosts'),
    action: z.literal('disable'),
    params: z.strictObject({ evacuate: z.boolean().optional() }).optional(),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('pools'),
    action: z.enum(['rolling_reboot', 'rolling_update']),
    params: z.strictObject({ shutdownPinnedVms: z.boolean().optional() }).optional(),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('pools'),
    action: z.literal('create_vm'),
    params: z.strictObject({
      template: objectId,
      name_label: name,
      autoPoweron: z.boolean().optional(),
    }),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('srs'),
    action: z.enum(['scan', 'reclaim_space']),
  }),
  z.strictObject({
    ...onObject,
    collection: z.literal('vdis'),
    action: z.literal('migrate'),
    params: z.strictObject({ srId: objectId }),
  }),
  z.strictObject({ ...onObject, collection: z.literal('schedules'), action: z.literal('run') }),
  z.strictObject({ ...onObject, collection: z.literal('tasks'), action: z.literal('abort') }),
])
// XO's tag rule: a non-empty string; XO Desk also bounds it and refuses control characters.
const tag = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^\P{Cc}+$/u, 'no control characters')
const columnLayout = z.strictObject({
  visible: z.array(z.string().min(1).max(100)).max(50),
  widths: z.record(z.string().min(1).max(100), z.number().int().min(30).max(2_000)),
})
const browserPrefs = z.strictObject({
  locale: z.enum(['system', 'en', 'fr']).optional(),
  density: z.enum(['comfortable', 'compact']).optional(),
  columns: z
    .record(z.string().min(1).max(300), columnLayout)
    .refine((c) => Object.keys(c).length <= 1_000, 'at most 1,000 layouts')
    .optional(),
  searches: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(100),
        instanceId,
        collection: z.enum(BROWSABLE_COLLECTIONS),
        name,
        filter: z.string().max(2_000),
      }),
    )
    .max(500)
    .optional(),
})
/** What each collection exports as. */
const EXPORT_FORMATS: Record<ExportCollection, readonly string[]> = {
  vms: ['xva', 'ova'],
  'vm-snapshots': ['xva', 'ova'],
  'vm-templates': ['xva', 'ova'],
  vdis: ['vhd', 'raw'],
  'vdi-snapshots': ['vhd', 'raw'],
  hosts: ['txt', 'tgz'],
}
// A path relative to the library root; main refuses any that leaves it (src-main/library).
const libraryId = z.strictObject({ id: z.string().min(1).max(4_096) })
const transferId = z.strictObject({ transferId: z.uuid() })
const transferSettings = z.strictObject({
  parallel: z.number().int().min(1).max(8),
  // From 64 KiB/s: below that an XO export times out before its first byte.
  bandwidthLimit: z
    .number()
    .int()
    .min(64 * 1024)
    .max(1e12)
    .optional(),
})

export const schemas = {
  'app.info': z.undefined(),
  'app.openHelp': z.strictObject({ url: z.string().max(2048) }),
  'instances.list': z.undefined(),
  'instances.notices': z.undefined(),
  'instances.inspect': z.strictObject({ address: z.string().min(1).max(2_048) }),
  'instances.add': z.strictObject({
    name: z.string().min(1).max(100),
    address: z.string().min(1).max(2_048),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/)
      .optional(),
    environment: z.string().min(1).max(40).optional(),
    readOnly: z.boolean().optional(),
    trust: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('system') }),
      z.strictObject({ kind: z.literal('pinned'), fingerprint256 }),
      z.strictObject({
        kind: z.literal('ca'),
        caPem: z.array(z.string().max(20_000).includes('BEGIN CERTIFICATE')).min(1).max(5),
      }),
    ]),
    signIn,
    tokenStorage: z.enum(['keychain', 'session']).optional(),
  }),
  'instances.remove': z.strictObject({ instanceId }),
  'instances.trust': z.strictObject({ instanceId, fingerprint256 }),
  'instances.signIn': z.strictObject({ instanceId, signIn }),
  // Bounds only; the rules a user is told about (unique name, trimmed label) live in Connections.
  'instances.update': z.strictObject({
    instanceId,
    patch: z.strictObject({
      name: z.string().min(1).max(100).optional(),
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/)
        .optional(),
      environment: z.string().min(1).max(40).optional(),
      readOnly: z.boolean().optional(),
    }),
  }),
  'instances.reorder': z.strictObject({ instanceIds: z.array(instanceId).max(1_000) }),
  'instances.certificates': z.undefined(),
  'demo.open': z.undefined(),
  'demo.reset': z.undefined(),
  'inventory.page': z.strictObject({
    instanceId,
    collection,
    offset: z.number().int().min(0).max(10_000_000),
    limit: z.number().int().min(0).max(5_000),
    sort: z
      .strictObject({ field: z.string().max(100), direction: z.enum(['asc', 'desc']).optional() })
      .optional(),
    filter: z.string().max(1_000).optional(),
    fields: z.array(z.string().min(1).max(100)).max(50).optional(),
  }),
  // The same bounds as `inventory.page`, across every instance.
  'inventory.pageAll': z.strictObject({
    collection,
    offset: z.number().int().min(0).max(10_000_000),
    limit: z.number().int().min(0).max(5_000),
    sort: z
      .strictObject({ field: z.string().max(100), direction: z.enum(['asc', 'desc']).optional() })
      .optional(),
    filter: z.string().max(1_000).optional(),
  }),
  'vms.action': z.strictObject({
    instanceId,
    vmId: z.string().min(1).max(200),
    action: z.enum([
      'start',
      'clean_shutdown',
      'hard_shutdown',
      'clean_reboot',
      'hard_reboot',
      'pause',
      'unpause',
      'suspend',
      'resume',
    ]),
    confirmName: z.string().max(500).optional(),
  }),
  'audit.list': z.strictObject({
    limit: z.number().int().min(1).max(10_000).optional(),
    instanceId: instanceId.optional(),
  }),
  'audit.export': z.strictObject({ format: z.enum(['csv', 'json']) }),
  'transfers.exportChoices': z.strictObject({ instanceId, vmId: objectId }),
  'transfers.list': z.undefined(),
  // A VM, snapshot or template as XVA or OVA; a disk or disk snapshot as VHD or raw; a host's
  // audit log as txt, its logs as tgz.
  'transfers.export': z
    .strictObject({
      instanceId,
      collection: z.enum(['vms', 'vm-snapshots', 'vm-templates', 'vdis', 'vdi-snapshots', 'hosts']),
      objectId,
      format: z.enum(['xva', 'ova', 'vhd', 'raw', 'txt', 'tgz']),
      compression: z.enum(['gzip', 'zstd']).optional(),
    })
    .refine((e) => EXPORT_FORMATS[e.collection].includes(e.format), {
      message: 'a VM exports as xva or ova, a disk as vhd or raw, a host as txt or tgz',
    })
    .refine((e) => !e.compression || e.format === 'xva', {
      message: 'only an XVA export is compressed',
    }),
  'transfers.import': z.strictObject({
    source: z.union([
      z.strictObject({ libraryId: z.string().min(1).max(4_096) }),
      z.strictObject({ path: z.string().min(1).max(4_096) }),
    ]),
    instanceId,
    target: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('vm'), sr: objectId }),
      z.strictObject({
        kind: z.literal('new-vdi'),
        sr: objectId,
        name: z.string().min(1).max(200).optional(),
        description: z.string().max(1_000).optional(),
      }),
      z.strictObject({ kind: z.literal('existing-vdi'), vdi: objectId }),
    ]),
  }),
  'transfers.move': z.strictObject({
    kind: z.enum(['vm', 'vdi']),
    fromInstanceId: instanceId,
    objectId,
    toInstanceId: instanceId,
    sr: objectId,
  }),
  'transfers.cancel': transferId,
  'transfers.retry': transferId,
  'transfers.clear': z.undefined(),
  'transfers.settings': z.undefined(),
  'transfers.configure': transferSettings,
  'library.list': z.undefined(),
  'library.verify': libraryId,
  'library.remove': libraryId,
  'library.reveal': libraryId,
  'library.setFolder': z.strictObject({ path: z.string().min(1).max(4_096) }),
  'library.inspectDropped': z.strictObject({ path: z.string().min(1).max(4_096) }),
  'inventory.counts': z.strictObject({ instanceId }),
  'objects.details': objectRef,
  'objects.action': objectAction,
  'objects.delete': z.strictObject({
    instanceId,
    collection: z.enum([
      'vms',
      'vm-snapshots',
      'vm-templates',
      'vdis',
      'vdi-snapshots',
      'srs',
      'networks',
    ]),
    id: objectId,
    confirmName,
  }),
  'objects.rename': z.strictObject({
    instanceId,
    collection: z.enum(['vms', 'vdis']),
    id: objectId,
    name,
  }),
  'objects.tag': z.strictObject({
    instanceId,
    collection: z.enum([
      'pools',
      'hosts',
      'vms',
      'vm-templates',
      'vm-snapshots',
      'srs',
      'vdis',
      'vdi-snapshots',
      'networks',
    ]),
    id: objectId,
    tag,
    present: z.boolean(),
  }),
  'objects.stats': z.strictObject({
    instanceId,
    collection: z.enum(['vms', 'hosts', 'pools']),
    id: objectId,
    granularity: z.enum(['seconds', 'minutes', 'hours', 'days']),
  }),
  'objects.patches': z.strictObject({ instanceId, id: objectId }),
  'tasks.list': z.undefined(),
  'tasks.clear': z.undefined(),
  'prefs.get': z.undefined(),
  'prefs.set': browserPrefs,
  'console.open': z.strictObject({
    instanceId,
    collection: z.enum(['vms', 'hosts']),
    id: objectId,
  }),
  'console.close': z.strictObject({ consoleId: z.uuid() }),
  'console.detach': z.strictObject({
    instanceId,
    collection: z.enum(['vms', 'hosts']),
    id: objectId,
  }),
} satisfies Schemas
