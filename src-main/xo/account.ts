import { parse as parseFilter } from 'complex-matcher'
import { OPERATION_PRIVILEGES } from './generated/privileges'

/** One RBAC v2 privilege of the signed-in user (`GET /users/{id}/acl-privileges`). */
export interface AclPrivilege {
  resource: string
  action: string
  effect: 'allow' | 'deny'
  /** A complex-matcher filter restricting the objects it applies to. */
  selector?: string
}

/** Who XO Desk is signed in as on one XO, and what that account may do. */
export interface XoAccount {
  userId: string
  name: string
  /** `permission: "admin"` bypasses every RBAC check (dist/middlewares/acl.middleware.mjs). */
  admin: boolean
  privileges: AclPrivilege[]
}

/** `vm:shutdown` grants `vm:shutdown:clean`; `*` grants every action (@xen-orchestra/acl). */
function grants(privilegeAction: string, action: string): boolean {
  return (
    privilegeAction === '*' ||
    privilegeAction === action ||
    action.startsWith(`${privilegeAction}:`)
  )
}

/**
 * Whether the account may do `resource:action` on `object`, as XO decides it before running an
 * operation: admins always; otherwise a matching `allow` is needed and any matching `deny` wins.
 * A privilege whose selector cannot be read counts as not matching.
 */
export function may(
  account: XoAccount,
  privilege: { resource: string; action: string },
  object?: Record<string, unknown>,
): boolean {
  if (account.admin) return true
  let allowed = false
  for (const p of account.privileges) {
    if (p.resource !== privilege.resource || !grants(p.action, privilege.action)) continue
    if (p.selector) {
      if (!object) continue
      let matches: boolean
      try {
        matches = parseFilter(p.selector).match(object)
      } catch {
        matches = false
      }
      if (!matches) continue
    }
    if (p.effect === 'deny') return false
    allowed = true
  }
  return allowed
}

/** The privilege XO checks for an operation (`POST /vms/{id}/actions/start` → `vm:start`). */
export function privilegeFor(
  method: string,
  path: string,
): { resource: string; action: string } | undefined {
  return OPERATION_PRIVILEGES[`${method.toUpperCase()} ${path}`]
}
