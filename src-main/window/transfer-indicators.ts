// Electron glue: the transfers' total on the taskbar or dock, a notification when a long one ends,
// and a question before quitting while some run. What to show is decided in transfers/transfer-attention.ts.
import { app, dialog, Notification, type BrowserWindow } from 'electron'
import type { EventHub } from '../app-events/event-hub'
import type { TransferQueue } from '../transfers/transfer-queue'
import { endedNotice, quitQuestion, taskbarProgress } from '../transfers/transfer-attention'

export function showTransfers(win: BrowserWindow, hub: EventHub, transfers: TransferQueue): void {
  const notified = new Set<string>()
  hub.subscribe((event, payload) => {
    if (win.isDestroyed()) return
    if (event === 'transfer.totals') win.setProgressBar(taskbarProgress(transfers.totals()))
    if (event !== 'transfer.updated') return
    const view = transfers.get((payload as { id: string }).id)
    const notice = view && endedNotice(view)
    if (!view || !notice || notified.has(view.id) || !Notification.isSupported()) return
    notified.add(view.id)
    new Notification({ title: notice.title, body: notice.body }).show()
  })
  win.on('close', (e) => {
    const question = quitQuestion(transfers.totals())
    if (!question) return
    const choice = dialog.showMessageBoxSync(win, {
      type: 'warning',
      buttons: ['Keep XO Desk open', 'Quit and cancel them'],
      defaultId: 0,
      cancelId: 0,
      message: question.message,
      detail: question.detail,
    })
    if (choice === 0) e.preventDefault()
  })
  app.on('before-quit', () => win.setProgressBar(-1))
}
