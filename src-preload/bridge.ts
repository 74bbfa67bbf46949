/**
 * The bridge object the renderer sees as `window.xo`. No electron import: the e2e shim bundles
 * this same file over a Playwright binding, so only the `contextBridge` call goes untested.
 */
import {
  CONSOLE_PORT_KEY,
  fail,
  isEventName,
  isMethodName,
  type EventName,
  type Events,
  type Input,
  type MethodName,
  type Output,
  type Result,
  type XoBridge,
} from './contract'

/** How the bridge reaches main: Electron IPC in the app, a Playwright binding in e2e tests. */
export interface Transport {
  invoke(method: MethodName, input: unknown): Promise<unknown>
  listen(listener: (event: string, payload: unknown) => void): () => void
  /** Hands main one end of a console's pipe (Electron: `ipcRenderer.postMessage` with the port). */
  attachConsole(consoleId: string, port: ChannelPort): void
}

/** A MessagePort, as the preload's and the page's MessageChannel make it. */
export type ChannelPort = InstanceType<typeof MessageChannel>['port1']

/** The window the preload runs in (its `postMessage` reaches the page's own listeners). */
interface PageWindow {
  postMessage(message: unknown, targetOrigin: string, transfer: ChannelPort[]): void
}

/** Where a dropped file is on disk: Electron's `webUtils` in the app, the harness's folder in e2e. */
export type PathForFile = (file: File) => string

export function createBridge(transport: Transport, pathForFile: PathForFile): XoBridge {
  async function invoke<M extends MethodName>(
    method: M,
    input: Input<M>,
  ): Promise<Result<Output<M>>> {
    if (!isMethodName(method)) {
      return fail('invalid-input', `Unknown request "${String(method)}".`, 'Report this as a bug.')
    }
    try {
      // Main validated the input and built this Result: this cast is the one trusted seam.
      return (await transport.invoke(method, input)) as Result<Output<M>>
    } catch {
      return fail(
        'internal',
        'The app could not reach its main process.',
        'Restart XO Desk; if this happens again, report it as a bug.',
      )
    }
  }

  function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    if (!isEventName(event)) throw new Error(`Unknown event "${String(event)}"`)
    return transport.listen((name, payload) => {
      if (name === event) listener(payload as Events[E])
    })
  }

  // One end of a new channel to main, the other to the page: the page never sees main's socket,
  // only a pipe of RFB bytes (src-main/console/console-relay.ts).
  function connectConsole(consoleId: string): void {
    if (typeof consoleId !== 'string' || consoleId === '') return
    const { port1, port2 } = new MessageChannel()
    transport.attachConsole(consoleId, port2)
    ;(globalThis as unknown as PageWindow).postMessage({ [CONSOLE_PORT_KEY]: consoleId }, '*', [
      port1,
    ])
  }

  return Object.freeze({ invoke, on, pathForFile, connectConsole })
}
