import type { VmPowerAction } from '@contract'
import { m } from '../paraglide/messages.js'
import type { Locale } from '../paraglide/runtime.js'

/**
 * The actions a VM offers in a power state, in the order the row shows them (XAPI's rules),
 * labelled in the current language or in `locale`.
 */
export function actionsFor(
  powerState: string,
  locale?: Locale,
): { action: VmPowerAction; label: string }[] {
  const o = locale ? { locale } : {}
  switch (powerState) {
    case 'Halted':
      return [{ action: 'start', label: m.vm_start({}, o) }]
    case 'Running':
      return [
        { action: 'clean_shutdown', label: m.vm_shut_down({}, o) },
        { action: 'clean_reboot', label: m.vm_reboot({}, o) },
      ]
    case 'Paused':
      return [
        { action: 'unpause', label: m.vm_resume({}, o) },
        { action: 'hard_shutdown', label: m.vm_force_shutdown({}, o) },
      ]
    case 'Suspended':
      return [
        { action: 'resume', label: m.vm_resume({}, o) },
        { action: 'hard_shutdown', label: m.vm_force_shutdown({}, o) },
      ]
    default:
      return []
  }
}

/** What a running task is doing, for the row: "Starting…", "Shutting down…". */
export function pendingLabel(action: VmPowerAction): string {
  const labels: Record<VmPowerAction, () => string> = {
    start: m.vm_pending_start,
    clean_shutdown: m.vm_pending_clean_shutdown,
    hard_shutdown: m.vm_pending_hard_shutdown,
    clean_reboot: m.vm_pending_clean_reboot,
    hard_reboot: m.vm_pending_hard_reboot,
    pause: m.vm_pending_pause,
    unpause: m.vm_pending_unpause,
    suspend: m.vm_pending_suspend,
    resume: m.vm_pending_resume,
  }
  return labels[action]()
}
