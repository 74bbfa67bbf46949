import { Agent, WebSocket } from 'undici'
import { connectorFor, type TrustPolicy } from '../tls/trust'
import { consoleUrl } from './console-url'

/** What opens one console's WebSocket: the instance's address, token and certificate trust. */
export interface ConsoleSocketOptions {
  restBase: URL
  consoleId: string
  token: string
  trust: TrustPolicy
}

/**
 * Opens XO's console proxy for one VM: WebSocket subprotocol `binary`, the token in the cookie
 * named `token` (the proxy reads that one, not the REST API's `authenticationToken`), and the
 * instance's own certificate check on the socket, so a changed certificate refuses the console
 * before the upgrade request (and its cookie) is written. The returned socket owns its agent.
 */
export function openConsoleSocket(options: ConsoleSocketOptions): WebSocket {
  const dispatcher = new Agent({ connect: connectorFor(options.trust, 10_000) })
  const socket = new WebSocket(consoleUrl(options.restBase, options.consoleId), {
    protocols: ['binary'],
    headers: { cookie: `token=${options.token}` },
    dispatcher,
  })
  socket.binaryType = 'arraybuffer'
  socket.addEventListener('close', () => void dispatcher.close().catch(() => undefined))
  return socket
}
