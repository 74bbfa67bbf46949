// The only IPC file that imports electron: ipcMain.handle, the sender check and event fan-out.
import { ipcMain, type MessagePortMain, type WebContents } from 'electron'
import { CONSOLE_CHANNEL, EVENT_CHANNEL, INVOKE_CHANNEL, fail } from '@contract'
import type { ConsolePort } from '../console/console-port'
import type { ConsoleService } from '../console/console-service'
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

function senderOf(event: Electron.IpcMainEvent | Electron.IpcMainInvokeEvent) {
  const frame = event.senderFrame
  return {
    webContentsId: event.sender.id,
    isMainFrame: frame !== null && frame.parent === null,
    frameUrl: frame?.url ?? '',
  }
}

/**
 * A console's pipe from a trusted window (src-preload/index.ts `attachConsole`): its port goes to
 * the console service, which relays XO's socket to it. Anything else is closed unanswered.
 */
export function registerConsoleHandler(consoles: ConsoleService, appUrlPrefix: string): void {
  ipcMain.on(CONSOLE_CHANNEL, (event, message: unknown) => {
    const [port] = event.ports
    if (!port) return
    const consoleId = (message as { consoleId?: unknown } | null)?.consoleId
    if (!isTrustedSender(senderOf(event), trusted, appUrlPrefix) || typeof consoleId !== 'string')
      return port.close()
    consoles.attach(consoleId, portOf(port))
  })
}

function portOf(port: MessagePortMain): ConsolePort {
  const wrapped = {
    post: (message: Parameters<ConsolePort['post']>[0]) => port.postMessage(message),
    onMessage: (listener: (data: unknown) => void) =>
      void port.on('message', (e) => listener(e.data)),
    onClose: (listener: () => void) => void port.on('close', listener),
    close: () => port.close(),
  } satisfies ConsolePort
  port.start()
  return wrapped
}

/** Route every request from a trusted window to `dispatch`; refuse everything else. */
export function registerInvokeHandler(dispatch: Dispatch, appUrlPrefix: string): void {
  ipcMain.handle(INVOKE_CHANNEL, (event, method: unknown, input: unknown) => {
    if (!isTrustedSender(senderOf(event), trusted, appUrlPrefix)) {
      return fail('internal', 'XO Desk refused a request from an unknown page.', 'Restart XO Desk.')
    }
    // A ceiling per request; long work (transfers) returns an id at once and reports by events.
    return dispatch(method, input, AbortSignal.timeout(120_000))
  })
}
