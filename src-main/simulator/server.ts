import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { attachConsoleProxy, type ConsoleLab } from './console/console-proxy'
import type { Faults } from './faults'
import { handleRequest } from './http/pipeline'
import { createHandlerTable } from './routes'
import { Simulation, type SimulationOptions } from './simulation'

export interface SimulatorOptions extends SimulationOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number
  /** Address to bind. Loopback only unless told otherwise. */
  host?: string
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string }
}

export interface RunningSimulator {
  /** Base URL of the REST API, ending in `/rest/v0`. */
  url: string
  /** The admin's token, for the `authenticationToken` cookie. */
  token: string
  faults: Faults
  /** The simulated XO itself: its store, users, tasks and event streams. */
  lab: Simulation
  /** The VM consoles behind `/api/consoles/<vm id>` (WebSocket, RFB), as tests observe them. */
  consoles: ConsoleLab
  /** Drops every open connection now (server gone), without stopping the server. */
  dropConnections(): void
  close(): Promise<void>
}

/** Starts a local XO that answers like XO's REST API 0.39.0 (see docs/simulator.md). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = new Simulation(options)
  const handlers = createHandlerTable()
  const listener = (req: IncomingMessage, res: ServerResponse): void =>
    void handleRequest(sim, handlers, req, res)
  const server: Server = options.tls
    ? createHttpsServer(options.tls, listener)
    : createHttpServer(listener)
  server.keepAliveTimeout = 5_000 // like Node's default; clients must cope with idle closes
  const consoles = attachConsoleProxy(server, sim)
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}/rest/v0`,
    token: sim.adminToken,
    faults: sim.faults,
    lab: sim,
    consoles,
    // Console WebSockets are among `sockets`: they are upgraded connections of this server.
    dropConnections() {
      for (const socket of sockets) socket.destroy()
    },
    async close() {
      consoles.dispose()
      sim.dispose()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
