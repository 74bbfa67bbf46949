import type { ConnectionState } from '@contract'

/**
 * Whether actions may be offered on an instance: not while its list is the last known one from
 * disk, nor while its stream is down (main refuses them too, `refuseIfOffline` in
 * src-main/ipc/handlers.ts). The first connection, without a snapshot, is not offline yet.
 */
export function canAct(live: ConnectionState): boolean {
  return !live.stale && (live.state === 'live' || live.state === 'connecting')
}

/** Why the instance cannot be reached, in XO Desk's words, or undefined when nothing is known yet. */
export function offlineReason(live: ConnectionState): string | undefined {
  return live.state === 'live' ? undefined : live.error?.message
}
