import type { VmPowerAction } from '@contract'

/** The actions a VM offers in a power state, in the order the row shows them (XAPI's rules). */
export function actionsFor(powerState: string): { action: VmPowerAction; label: string }[] {
  switch (powerState) {
    case 'Halted':
      return [{ action: 'start', label: 'Start' }]
    case 'Running':
      return [
        { action: 'clean_shutdown', label: 'Shut down' },
        { action: 'clean_reboot', label: 'Reboot' },
      ]
    case 'Paused':
      return [
        { action: 'unpause', label: 'Resume' },
        { action: 'hard_shutdown', label: 'Force shutdown' },
      ]
    case 'Suspended':
      return [
        { action: 'resume', label: 'Resume' },
        { action: 'hard_shutdown', label: 'Force shutdown' },
      ]
    default:
      return []
  }
}

/** What a running task is doing, for the row: "Starting…", "Shutting down…". */
export function pendingLabel(action: VmPowerAction): string {
  const labels: Record<VmPowerAction, string> = {
    start: 'Starting',
    clean_shutdown: 'Shutting down',
    hard_shutdown: 'Forcing shutdown',
    clean_reboot: 'Rebooting',
    hard_reboot: 'Forcing reboot',
    pause: 'Pausing',
    unpause: 'Resuming',
    suspend: 'Suspending',
    resume: 'Resuming',
  }
  return `${labels[action]}…`
}
