import * as CM from 'complex-matcher'
import type { Caller } from './auth'
import type { XoRecord } from './lab/types'
import type { LabStore } from './store'

interface Privilege {
  roleId: string
  resource: string
  action: string
  effect: 'allow' | 'deny'
  selector?: string
}

/** `vm:shutdown` grants `vm:shutdown:clean`; `*` grants every action. */
function grants(privilegeAction: string, action: string): boolean {
  return (
    privilegeAction === '*' ||
    privilegeAction === action ||
    action.startsWith(`${privilegeAction}:`)
  )
}

/**
 * RBAC v2 as XO applies it (`hasPrivilegeOn` of `@xen-orchestra/acl`,
 * docs/xo-rest-api.md#authentication): admins bypass it, deny wins over allow.
 */
export class Rbac {
  constructor(private readonly store: LabStore) {}

  #privileges(userId: string): Privilege[] {
    const user = this.store.get('users', userId)
    const groups = new Set((user?.['groups'] as string[] | undefined) ?? [])
    const roles = new Set<string>()
    for (const role of this.store.list('acl-roles')) {
      const users = (role['userIds'] as string[] | undefined) ?? []
      const roleGroups = (role['groupIds'] as string[] | undefined) ?? []
      if (users.includes(userId) || roleGroups.some((g) => groups.has(g))) roles.add(role.id)
    }
    const out: Privilege[] = []
    for (const p of this.store.list('acl-privileges')) {
      if (roles.has(p['roleId'] as string)) out.push(p as unknown as Privilege)
    }
    return out
  }

  /** True when the caller may do `resource:action` on the object. */
  can(caller: Caller, resource: string, action: string, record?: XoRecord): boolean {
    if (caller.permission === 'admin') return true
    let allowed = false
    for (const p of this.#privileges(caller.userId)) {
      if (p.resource !== resource || !grants(p.action, action)) continue
      if (p.selector && record && !CM.parse(p.selector).match(record)) continue
      if (p.effect === 'deny') return false
      allowed = true
    }
    return allowed
  }

  /** A predicate for collection reads: non-admins see only what they may read (never a 403). */
  readable(caller: Caller, resource: string): (record: XoRecord) => boolean {
    if (caller.permission === 'admin') return () => true
    return (record) => this.can(caller, resource, 'read', record)
  }
}
