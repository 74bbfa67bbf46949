import type { IncomingMessage, Server as HttpServer } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { Caller } from '../auth'
import type { XoRecord } from '../lab/types'
import type { Simulation } from '../simulation'
import { ConsoleScreen, type ConsoleFrame } from './console-screen'
import { RfbSession } from './rfb-server'

export type { ConsoleFrame } from './console-screen'

/** What a VM's console received, for tests to read. */
export interface ConsoleReport {
  /** Printable characters typed, in order. */
  typed: string
  /** Key combinations recognised, e.g. `['Ctrl+Alt+Del']`. */
  combos: string[]
  clicks: number
  cutText: string[]
  /** Sessions opened on this screen so far. */
  sessions: number
  /** Keysyms of every key pressed, in order. */
  keys: number[]
}

/** The simulator's VM consoles, as tests observe and drive them. */
export interface ConsoleLab {
  /** The VM's screen now, or undefined when the VM has no console (unknown or not running). */
  frame(vmId: string): ConsoleFrame | undefined
  /** What the VM's console received since it started (all zero when it has none). */
  report(vmId: string): ConsoleReport
  /** Sessions open on the VM's console now. */
  open(vmId: string): number
  /** Ends the VM's sessions, as a VM reboot does to a real console; its screen stays. */
  closeAll(vmId: string): void
  /** Ends every session and stops answering console upgrades. */
  dispose(): void
}

const CONSOLE_PATH = /^\/api\/consoles\/([^/]+)$/
const CONSOLE_COLLECTIONS = ['vms', 'vm-controllers'] as const

/** A VM has a console while its domain exists: running or paused. */
function hasConsole(vm: XoRecord): boolean {
  return vm['power_state'] === 'Running' || vm['power_state'] === 'Paused'
}

interface VmConsole {
  screen: ConsoleScreen
  sessions: Set<{ ws: WebSocket; rfb: RfbSession }>
  opened: number
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name)
      return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

/**
 * XO's console proxy: WebSocket upgrades on `/api/consoles/<vm id>` (subprotocol `binary`),
 * authenticated by the `token` cookie, relay RFB bytes to the VM's console. As in XO, any refusal
 * ends the socket without an HTTP answer. Here the console is an RFB server over a generated
 * screen, one per VM, shared by all its viewers.
 */
export function attachConsoleProxy(server: HttpServer | HttpsServer, sim: Simulation): ConsoleLab {
  const consoles = new Map<string, VmConsole>()
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  })

  /** The console's VM, when the request may open it. */
  function allowedVm(req: IncomingMessage): XoRecord | undefined {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname
    const id = CONSOLE_PATH.exec(path)?.[1]
    if (id === undefined) return undefined
    const vmId = decodeURIComponent(id)
    const collection = sim.store.locate(vmId, CONSOLE_COLLECTIONS)
    const vm = collection && sim.store.get(collection, vmId)
    if (!vm || !hasConsole(vm)) return undefined
    // The console proxy reads `token`, not the REST API's `authenticationToken`.
    const token = cookie(req, 'token')
    const record = token === undefined ? undefined : sim.auth.tokens.get(token)
    if (!record || record.expiration <= sim.now()) return undefined
    const user = sim.store.get('users', record.user_id)
    if (!user) return undefined
    const caller: Caller = {
      userId: record.user_id,
      permission: user['permission'] === 'admin' ? 'admin' : 'none',
    }
    return sim.rbac.can(caller, 'vm', 'operate', vm) ? vm : undefined
  }

  function consoleOf(vm: XoRecord): VmConsole {
    let found = consoles.get(vm.id)
    if (!found) {
      const name = typeof vm['name_label'] === 'string' ? vm['name_label'] : vm.id
      found = { screen: new ConsoleScreen(name), sessions: new Set(), opened: 0 }
      consoles.set(vm.id, found)
    }
    return found
  }

  /** The console of a VM that has one now. */
  function liveConsole(vmId: string): VmConsole | undefined {
    const collection = sim.store.locate(vmId, CONSOLE_COLLECTIONS)
    const vm = collection && sim.store.get(collection, vmId)
    return vm && hasConsole(vm) ? consoleOf(vm) : undefined
  }

  function connect(vm: XoRecord, ws: WebSocket): void {
    const target = consoleOf(vm)
    target.opened++
    const session = {
      ws,
      rfb: new RfbSession({ send: (bytes) => ws.send(bytes) }, target.screen, {
        name: target.screen.name,
        onClose: () => end(target, session),
      }),
    }
    target.sessions.add(session)
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // RFB travels in binary messages only (noVNC's `binary` subprotocol).
      if (isBinary) session.rfb.receive(bytes(data))
    })
    ws.on('close', () => end(target, session))
  }

  function end(target: VmConsole, session: { ws: WebSocket; rfb: RfbSession }): void {
    target.sessions.delete(session)
    session.rfb.close()
    session.ws.close()
  }

  function closeAll(vmId: string): void {
    const target = consoles.get(vmId)
    if (!target) return
    for (const session of [...target.sessions]) end(target, session)
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Noted like every REST request, so a test sees any upgrade that reached the server.
    sim.noteRequest(req.method ?? 'GET', req.url ?? '/')
    const vm = allowedVm(req)
    if (!vm) {
      socket.end()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(vm, ws))
  }
  server.on('upgrade', onUpgrade)

  // A VM that stops loses its console: its viewers are disconnected and its next boot starts afresh.
  const unsubscribe = sim.store.subscribe((kind, collection, record) => {
    if (collection !== 'vms' && collection !== 'vm-controllers') return
    if (kind === 'add' || (kind === 'update' && hasConsole(record))) return
    closeAll(record.id)
    consoles.delete(record.id)
  })

  return {
    frame: (vmId) => liveConsole(vmId)?.screen.frame(),
    report(vmId) {
      const target = consoles.get(vmId)
      const events = target?.screen.events
      return {
        typed: events?.typed ?? '',
        combos: events?.combos ?? [],
        clicks: events?.clicks ?? 0,
        cutText: events?.cutText ?? [],
        sessions: target?.opened ?? 0,
        keys: events?.keys ?? [],
      }
    },
    open: (vmId) => consoles.get(vmId)?.sessions.size ?? 0,
    closeAll,
    dispose() {
      unsubscribe()
      server.off('upgrade', onUpgrade)
      for (const target of consoles.values()) {
        for (const session of [...target.sessions]) {
          end(target, session)
          session.ws.terminate()
        }
      }
      wss.close()
    },
  }
}

function bytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}
