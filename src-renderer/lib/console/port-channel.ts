import type { ConsoleNotice } from '@contract'

/** WebSocket's readyState values, which noVNC compares with. */
const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

/** What noVNC's close handler reads of a CloseEvent. */
export interface ChannelClose {
  code: number
  reason: string
  wasClean: boolean
}

/**
 * A WebSocket-like object over a console's MessagePort, handed to noVNC as its "raw channel"
 * (noVNC's Websock.attach checks exactly these members). The page opens no socket: main holds
 * XO's and relays its bytes. Open when main says XO's socket is; closed when main says the
 * console ended (`ended` keeps why) or the viewer closes it.
 */
export class PortChannel {
  binaryType = 'arraybuffer'
  readonly protocol = 'binary'
  readyState = CONNECTING
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null
  onclose: ((event: ChannelClose) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  /** Why main ended the console, once it did. */
  ended: Extract<ConsoleNotice, { kind: 'ended' }> | undefined

  readonly #port: MessagePort

  constructor(port: MessagePort) {
    this.#port = port
    port.onmessage = (e: MessageEvent<unknown>) => {
      if (e.data instanceof ArrayBuffer) return this.onmessage?.({ data: e.data })
      const notice = e.data as ConsoleNotice
      if (notice.kind === 'open' && this.readyState === CONNECTING) {
        this.readyState = OPEN
        this.onopen?.(new Event('open'))
      } else if (notice.kind === 'ended') {
        this.ended = notice
        this.#closed(false)
      }
    }
  }

  /** To main, as a copy: noVNC reuses its send buffer for the next message. */
  send(data: ArrayBuffer | ArrayBufferView): void {
    if (this.readyState !== OPEN) return
    const bytes =
      data instanceof ArrayBuffer
        ? data.slice(0)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer
    this.#port.postMessage(bytes, [bytes])
  }

  close(): void {
    this.#closed(true)
  }

  #closed(clean: boolean): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.#port.close()
    this.onclose?.({ code: clean ? 1000 : 1006, reason: '', wasClean: clean })
  }
}

/**
 * The console pipe main sends for `consoleId` (XoBridge.connectConsole): a MessagePort arriving
 * with a window `message` event from this window itself.
 */
export function receiveConsolePort(consoleId: string, timeoutMs = 10_000): Promise<MessagePort> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage)
      reject(new Error('no console pipe'))
    }, timeoutMs)
    function onMessage(e: MessageEvent<unknown>): void {
      const data = e.data as { xoConsolePort?: unknown } | null
      if (e.source !== window || data?.xoConsolePort !== consoleId || !e.ports[0]) return
      clearTimeout(timer)
      window.removeEventListener('message', onMessage)
      resolve(e.ports[0])
    }
    window.addEventListener('message', onMessage)
  })
}
