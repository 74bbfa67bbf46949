// What the OS shows of the transfers (taskbar or dock progress, a notification, the quit question),
// decided here in plain Node; src-main/window/transfer-indicators.ts only hands it to Electron.
import type { TransferTotals, TransferView } from '@contract'

/** A transfer that ran at least this long gets a notification when it ends. */
export const NOTIFY_AFTER_MS = 30_000

/**
 * `BrowserWindow.setProgressBar`'s value: -1 removes the bar, 0…1 fills it, above 1 is
 * indeterminate (Windows; elsewhere a full bar), for a VM export whose size XO does not say.
 */
export function taskbarProgress(totals: TransferTotals): number {
  if (totals.running === 0) return -1
  return totals.fraction ?? 2
}

const what = (view: TransferView): string =>
  view.direction === 'import'
    ? `Import of ${view.object.name} into ${view.instance.name}`
    : view.direction === 'move'
      ? `Move of ${view.object.name} to ${view.to?.name ?? 'the other XO'}`
      : `Export of ${view.object.name} from ${view.instance.name}`

/** The system notification for a transfer that just ended, when it ran long enough to be left alone. */
export function endedNotice(view: TransferView): { title: string; body: string } | undefined {
  if (view.state !== 'done' && view.state !== 'failed') return undefined
  if (view.startedAt === undefined || view.endedAt === undefined) return undefined
  if (view.endedAt - view.startedAt < NOTIFY_AFTER_MS) return undefined
  if (view.state === 'done') return { title: `${what(view)} is done`, body: view.file ?? '' }
  return {
    title: `${what(view)} failed`,
    body: view.error ? `${view.error.message} ${view.error.action}` : 'Open XO Desk to retry it.',
  }
}

/** The question before quitting while transfers run: quitting cancels them. */
export function quitQuestion(
  totals: TransferTotals,
): { message: string; detail: string } | undefined {
  const n = totals.running + totals.queued
  if (n === 0) return undefined
  return {
    message: n === 1 ? 'A transfer is not finished.' : `${n} transfers are not finished.`,
    detail:
      'Quitting cancels them: their partial files are deleted, and XO cannot resume an export, so they will start over from the beginning.',
  }
}
