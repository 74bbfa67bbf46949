/**
 * XO's own objects (not XAPI's): users, groups, RBAC v2 roles and privileges, pool connections
 * (servers) and backup proxies (docs/xo-rest-api.md#what-objects-look-like). They have plain uuids
 * and no `$pool`.
 */
import type { LabContext, PoolRecord, VmRecord } from './common'
import type { PoolModel } from './infrastructure'
import type { LabAccount, XoRecord } from './types'

export interface People {
  admin: XoRecord
  operator: XoRecord
  auditor: XoRecord
  accounts: LabAccount[]
}

/** XO never returns password hashes (`user.service.mjs`). */
const PW_HASH = '***obfuscated***'
/** RBAC selectors are complex-matcher strings on the target object (`@xen-orchestra/acl`). */
const STAGING_VMS = 'tags:staging'

export function buildPeople(ctx: LabContext): People {
  const random = ctx.random('people')
  const [adminId, operatorId, auditorId] = [random.uuid(), random.uuid(), random.uuid()]
  const [adminsId, operatorsId, auditorsId] = [random.uuid(), random.uuid(), random.uuid()]
  const [stagingRoleId, auditRoleId, vmReadTemplateId, vmPowerTemplateId] = [
    random.uuid(),
    random.uuid(),
    random.uuid(),
    random.uuid(),
  ]

  const admin: XoRecord = {
    email: 'admin@admin.net',
    name: 'admin@admin.net',
    permission: 'admin',
    pw_hash: PW_HASH,
    groups: [adminsId],
    preferences: {},
    id: adminId,
  }
  const operator: XoRecord = {
    email: 'operator@lab.local',
    name: 'operator@lab.local',
    permission: 'none',
    pw_hash: PW_HASH,
    groups: [operatorsId],
    preferences: { lang: 'en' },
    id: operatorId,
  }
  // Synced from LDAP: no local password, cannot be renamed (`PATCH /users/{id}` refuses it:
  // @xen-orchestra/rest-api 0.39.0, dist/users/user.controller.mjs).
  const auditor: XoRecord = {
    email: 'jane.doe@lab.local',
    name: 'jane.doe',
    permission: 'none',
    groups: [auditorsId],
    preferences: {},
    authProviders: { ldap: 'uid=jane.doe,ou=people,dc=lab,dc=local' },
    id: auditorId,
  }
  ctx.collections.users.push(admin, operator, auditor)

  ctx.collections.groups.push(
    { name: 'Administrators', users: [adminId], aclRoleIds: [], id: adminsId },
    { name: 'Operators', users: [operatorId], aclRoleIds: [stagingRoleId], id: operatorsId },
    {
      name: 'Auditors',
      provider: 'ldap',
      providerGroupId: 'cn=auditors,ou=groups,dc=lab,dc=local',
      users: [auditorId],
      aclRoleIds: [auditRoleId],
      id: auditorsId,
    },
  )

  type Grant = [resource: string, action: string, effect: 'allow' | 'deny', selector?: string]
  const roles: { role: XoRecord & { privilegeIds: string[] }; grants: Grant[] }[] = [
    {
      role: {
        id: stagingRoleId,
        name: 'Staging operators',
        description: 'See, start, stop and reboot the VMs tagged staging',
        userIds: [operatorId],
        groupIds: [operatorsId],
        privilegeIds: [],
      },
      grants: [
        ['vm', 'read', 'allow', STAGING_VMS],
        ['vm', 'start', 'allow', STAGING_VMS],
        ['vm', 'shutdown:clean', 'allow', STAGING_VMS],
        ['vm', 'reboot:clean', 'allow', STAGING_VMS],
        ['vm', 'delete', 'deny'],
        ['task', 'read', 'allow', `properties:userId:${operatorId}`],
        ['pool', 'read', 'allow'],
        ['host', 'read', 'allow'],
      ],
    },
    {
      role: {
        id: auditRoleId,
        name: 'Auditors',
        description: 'Read-only view of the infrastructure and backups',
        userIds: [],
        groupIds: [auditorsId],
        privilegeIds: [],
      },
      grants: [
        ['pool', 'read', 'allow'],
        ['host', 'read', 'allow'],
        ['vm', 'read', 'allow'],
        ['sr', 'read', 'allow'],
        ['network', 'read', 'allow'],
        ['backup-job', 'read', 'allow'],
        ['backup-log', 'read', 'allow'],
      ],
    },
    // Built-in role templates: no users or groups, only a template number.
    {
      role: {
        id: vmReadTemplateId,
        name: 'VMs read only',
        description: 'Read access to every VM',
        isTemplate: true,
        roleTemplateId: 1,
        privilegeIds: [],
      },
      grants: [['vm', 'read', 'allow']],
    },
    {
      role: {
        id: vmPowerTemplateId,
        name: 'VM power operator',
        description: 'Read VMs and change their power state',
        isTemplate: true,
        roleTemplateId: 2,
        privilegeIds: [],
      },
      grants: [
        ['vm', 'read', 'allow'],
        ['vm', 'start', 'allow'],
        ['vm', 'shutdown', 'allow'],
        ['vm', 'reboot', 'allow'],
      ],
    },
  ]
  for (const { role, grants } of roles) {
    ctx.collections['acl-roles'].push(role)
    for (const [resource, action, effect, selector] of grants) {
      const privilege: XoRecord = { id: random.uuid(), resource, action, effect, roleId: role.id }
      if (selector !== undefined) privilege.selector = selector
      ctx.collections['acl-privileges'].push(privilege)
      role.privilegeIds.push(privilege.id)
    }
  }

  return {
    admin,
    operator,
    auditor,
    accounts: [
      { userId: adminId, name: 'admin@admin.net', password: 'admin', permission: 'admin' },
      { userId: operatorId, name: 'operator@lab.local', password: 'operator', permission: 'none' },
    ],
  }
}

/**
 * XO's connection to each pool master; the password is never returned
 * (the example of @xen-orchestra/rest-api 0.39.0, dist/open-api/oa-examples/server.oa-example.mjs,
 * has none).
 */
export function buildServers(ctx: LabContext, pools: readonly PoolModel[]): void {
  const random = ctx.random('servers')
  for (const pool of pools) {
    const record: PoolRecord = pool.record
    const master = pool.hosts[0]
    ctx.collections.servers.push({
      host: master?.record.address ?? '',
      label: record.name_label,
      username: 'root',
      // Hosts keep XCP-ng's self-signed certificate.
      allowUnauthorized: true,
      poolNameLabel: record.name_label,
      poolNameDescription: record.name_description,
      enabled: true,
      readOnly: false,
      id: random.uuid(),
      status: 'connected',
      poolId: record.id,
      master: record.master,
    })
  }
}

/** A backup proxy deployed as a VM (`vmUuid`), or a bare address when the lab has no such VM. */
export function buildProxies(ctx: LabContext, proxyVm: VmRecord | null): XoRecord {
  const random = ctx.random('proxies')
  const deployedAt = new Date(ctx.now - 240 * 86_400_000).toISOString()
  const address = proxyVm ? (proxyVm.mainIpAddress as string | undefined) : undefined
  const proxy: XoRecord = {
    name: `Proxy ${deployedAt}`,
    id: random.uuid(),
    url: `https://${address ?? '10.10.0.30'}/`,
    version: '0.29.31',
  }
  if (proxyVm) proxy.vmUuid = proxyVm.uuid
  else proxy.address = '10.10.0.30:443'
  ctx.collections.proxies.push(proxy)
  return proxy
}
