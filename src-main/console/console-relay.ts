import type { WebSocket } from 'undici'
import type { ConsolePort } from './console-port'
import { ViewOnlyFilter } from './view-only-filter'

/** How a relayed console ended: who closed it, and whether XO's side had opened. */
export interface RelayEnd {
  by: 'xo' | 'viewer'
  wasOpen: boolean
  /** RFB bytes XO sent: none means the proxy refused the console without a word. */
  received: number
}

/**
 * Relays one console between XO's WebSocket and the renderer's port, byte for byte, until either
 * side closes; on a read-only instance the viewer's input is left out (ViewOnlyFilter). Bytes the
 * viewer sends before XO's socket is open wait for it.
 */
export function relayConsole(
  socket: WebSocket,
  port: ConsolePort,
  options: { viewOnly: boolean; onEnd(end: RelayEnd): void },
): void {
  const filter = options.viewOnly ? new ViewOnlyFilter() : undefined
  const waiting: Uint8Array[] = []
  let wasOpen = false
  let received = 0
  let ended = false
  const end = (by: RelayEnd['by']): void => {
    if (ended) return
    ended = true
    options.onEnd({ by, wasOpen, received })
  }

  socket.addEventListener('open', () => {
    wasOpen = true
    for (const bytes of waiting.splice(0)) socket.send(bytes)
    port.post({ kind: 'open' })
  })
  socket.addEventListener('message', (e) => {
    if (!(e.data instanceof ArrayBuffer)) return // the proxy sends binary frames only
    received += e.data.byteLength
    port.post(e.data)
  })
  socket.addEventListener('close', () => end('xo'))

  port.onMessage((data) => {
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : data instanceof Uint8Array
          ? data
          : undefined
    if (!bytes) return // anything else on the pipe is not RFB: dropped
    const out = filter ? filter.push(bytes) : bytes
    if (out.length === 0) return
    if (socket.readyState === socket.OPEN) socket.send(out)
    else if (socket.readyState === socket.CONNECTING) waiting.push(out)
  })
  port.onClose(() => {
    end('viewer')
    socket.close(1000)
  })
}
