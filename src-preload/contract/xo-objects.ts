/**
 * XO's objects as the types generated from XO's OpenAPI spec describe them (`npm run spec:types`
 * writes ./generated/xo-rest.ts), shared by main and the renderer so a row is typed the same on
 * both sides.
 */
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
  /** Backup jobs of every kind (VM, metadata, mirror); the spec lists them only as partial objects. */
  'backup-jobs': Schemas['Partial_UnbrandAnyXoBackupJob_'] & { id: string }
}

/** A collection XO Desk knows the objects of. */
export type XoCollectionName = keyof XoCollections
