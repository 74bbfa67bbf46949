import type { components } from './generated/xo-rest'

type Schemas = components['schemas']

/** XO's collections and the object each holds, from the types generated from XO's OpenAPI spec. */
export interface XoCollections {
  pools: Schemas['Unbrand_XoPool_']
  hosts: Schemas['Unbrand_XoHost_']
  vms: Schemas['Unbrand_XoVm_']
  'vm-templates': Schemas['Unbrand_XoVmTemplate_']
  'vm-snapshots': Schemas['Unbrand_XoVmSnapshot_']
  'vm-controllers': Schemas['Unbrand_XoVmController_']
  srs: Schemas['Unbrand_XoSr_']
  vdis: Schemas['Unbrand_XoVdi_']
  'vdi-snapshots': Schemas['Unbrand_XoVdiSnapshot_']
  vbds: Schemas['Unbrand_XoVbd_']
  vifs: Schemas['Unbrand_XoVif_']
  networks: Schemas['Unbrand_XoNetwork_']
  pifs: Schemas['Unbrand_XoPif_']
  pbds: Schemas['Unbrand_XoPbd_']
  pcis: Schemas['Unbrand_XoPci_']
  pgpus: Schemas['Unbrand_XoPgpu_']
  sms: Schemas['Unbrand_XoSm_']
  messages: Schemas['Unbrand_XoMessage_']
  alarms: Schemas['Unbrand_XoAlarm_']
  tasks: Schemas['Unbrand_XoTask_']
  servers: Schemas['Unbrand_XoServer_']
  users: Schemas['Unbrand_XoUser_']
  groups: Schemas['Unbrand_XoGroup_']
  'acl-roles': Schemas['Unbrand_XoAclRole_']
  schedules: Schemas['Unbrand_XoSchedule_']
  proxies: Schemas['Unbrand_XoProxy_']
  'backup-logs': Schemas['Unbrand_XoBackupLog_']
  'backup-repositories': Schemas['Unbrand_XoBackupRepository_']
  'restore-logs': Schemas['Unbrand_XoRestoreLog_']
}

/** A known collection name, or any other collection path segment XO may add. */
export type Collection = keyof XoCollections | (string & {})

/** The full object of a collection (`GET /<collection>/{id}`). */
export type XoObject<C extends Collection> = C extends keyof XoCollections
  ? XoCollections[C]
  : Record<string, unknown>

/**
 * A collection item as listed with `fields`: only the asked keys, plus `href`
 * (docs/xo-rest-api.md#collections-and-fields).
 */
export type XoListed<C extends Collection> = Partial<XoObject<C>> & { href: string }

/** An XO task (docs/xo-rest-api.md#actions-and-tasks). */
export type XoTask = Schemas['Unbrand_XoTask_']

/** What a task looks like as it moves: the watch stream sends only the fields asked for. */
export type XoTaskProgress = Partial<XoTask> & Pick<XoTask, 'id'>

/** A token record (`POST /users/{id}/authentication_tokens`); its `id` is the cookie value. */
export type XoAuthenticationToken = Schemas['Unbrand_XoAuthenticationToken_']
