// The only IPC file that imports electron: ipcMain.handle, the sender check and event fan-out.
import { ipcMain, type WebContents } from 'electron'
import { EVENT_CHANNEL, INVOKE_CHANNEL, fail } from '@contract'
import { isTrustedSender } from './trusted-sender'
import type { EventHub } from '../app-events/event-hub'
import type { Dispatch } from './router'

const trusted = new Set<number>()

/** Trust one of our windows and forward hub events to it until it is destroyed. */
export function bindWindow(wc: WebContents, hub: EventHub): void {
  trusted.add(wc.id)
  const unsubscribe = hub.subscribe((name, payload) => {
    if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, name, payload)
  })
  wc.once('destroyed', () => {
    trusted.delete(wc.id)
    unsubscribe()
  })
}

/** Route every request from a trusted window to `dispatch`; refuse everything else. */
export function registerInvokeHandler(dispatch: Dispatch, appUrlPrefix: string): void {
  ipcMain.handle(INVOKE_CHANNEL, (event, method: unknown, input: unknown) => {
    const frame = event.senderFrame
    const sender = {
      webContentsId: event.sender.id,
      isMainFrame: frame !== null && frame.parent === null,
      frameUrl: frame?.url ?? '',
    }
    if (!isTrustedSender(sender, trusted, appUrlPrefix)) {
      return fail('internal', 'XO Desk refused a request from an unknown page.', 'Restart XO Desk.')
    }
    // A ceiling per request; long work (transfers) returns an id at once and reports by events.
    return dispatch(method, input, AbortSignal.timeout(120_000))
  })
}
