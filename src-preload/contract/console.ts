import type { AppError } from './errors'
import type { InstanceId } from './instances'

/** Input of `console.open`: a VM's console, or a host's (its control domain's). */
export interface ConsoleOpenInput {
  instanceId: InstanceId
  collection: 'vms' | 'hosts'
  id: string
}

/**
 * A console main has checked and may open: the renderer then asks for its pipe
 * (`XoBridge.connectConsole`), which arrives as a MessagePort in a window `message` event whose
 * data is `{ xoConsolePort: consoleId }`.
 */
export interface ConsoleTicket {
  consoleId: string
  /** "web-01", or "xcp-01 (control domain)". */
  title: string
  /** On a read-only instance main passes no key, click or paste on to XO. */
  viewOnly: boolean
}

/**
 * What main posts on a console's pipe besides the RFB bytes (ArrayBuffers): the console is open,
 * or it ended and why.
 */
export type ConsoleNotice =
  | { kind: 'open' }
  | {
      kind: 'ended'
      error: AppError
      /** it had opened (a reboot, not a refusal) */ wasOpen: boolean
    }

/** The message window.postMessage carries with a console's MessagePort. */
export const CONSOLE_PORT_KEY = 'xoConsolePort'

/** The IPC channel a console's MessagePort goes to main on. */
export const CONSOLE_CHANNEL = 'xo:console'
