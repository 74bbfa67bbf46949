import type { InstanceAccountSummary } from '@contract'
import { may, privilegeFor, type XoAccount } from '../xo/account'
import type { XoClient } from '../xo/client'

/** What XO Desk needs from a server, and what the user loses without it (an older XO). */
const FEATURES: readonly { operation: string; feature: string }[] = [
  { operation: 'GET /events', feature: 'live updates (GET /events)' },
  { operation: 'POST /vms/{id}/actions/start', feature: 'VM power actions' },
  { operation: 'POST /users/{id}/authentication_tokens', feature: 'signing in with a password' },
]

/** The account an instance is signed in as, and the server's API, once read. */
export interface InstanceAccount {
  account: XoAccount
  apiVersion: string
  missing: string[]
}

/** Reads who the token belongs to, their privileges, and which XO Desk features the server lacks. */
export async function readInstanceAccount(
  client: XoClient,
  signal: AbortSignal,
): Promise<InstanceAccount> {
  const [account, api] = await Promise.all([client.account(signal), client.serverApi(signal)])
  return {
    account,
    apiVersion: api.version,
    missing: FEATURES.filter((f) => !api.operations.has(f.operation)).map((f) => f.feature),
  }
}

export function accountSummary(a: InstanceAccount): InstanceAccountSummary {
  return {
    user: a.account.name,
    admin: a.account.admin,
    apiVersion: a.apiVersion,
    missing: a.missing,
  }
}

/** The VM actions XO Desk offers, as XO names their routes (`POST /vms/{id}/actions/<action>`). */
export const VM_ACTIONS = [
  'start',
  'clean_shutdown',
  'hard_shutdown',
  'clean_reboot',
  'hard_reboot',
  'pause',
  'unpause',
  'suspend',
  'resume',
] as const

/** The privilege a VM action needs, as `resource:action` (`vm:shutdown:clean`). */
export function vmActionPrivilege(action: string): { resource: string; action: string } {
  return privilegeFor('POST', `/vms/{id}/actions/${action}`) ?? { resource: 'vm', action }
}

/**
 * The VM actions this account may not run on `vm`, each with the privilege it lacks, so the
 * window can disable them with the reason. Empty for admins.
 */
export function refusedVmActions(
  a: InstanceAccount | undefined,
  vm: Record<string, unknown>,
): Record<string, string> | undefined {
  if (!a || a.account.admin) return undefined
  const refused: Record<string, string> = {}
  for (const action of VM_ACTIONS) {
    const privilege = vmActionPrivilege(action)
    if (!may(a.account, privilege, vm))
      refused[action] = `${privilege.resource}:${privilege.action}`
  }
  return Object.keys(refused).length > 0 ? refused : undefined
}
