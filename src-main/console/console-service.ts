import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'undici'
import type { AppError, ConsoleOpenInput, ConsoleTicket } from '@contract'
import { AppFailure } from '../app-failure'
import type { AuditLog } from '../audit/audit-log'
import type { Instance, InstanceRegistry } from '../instances/instance-registry'
import type { Log } from '../log'
import { toXoAppError } from '../xo/errors'
import type { ConsolePort } from './console-port'
import { relayConsole, type RelayEnd } from './console-relay'

/** A checked console waits this long for its pipe before it is forgotten. */
const TICKET_MS = 30_000

interface Opened {
  instance: Instance
  /** The id the console proxy knows: the VM's, or the host's control domain's. */
  target: string
  title: string
  viewOnly: boolean
  attached: boolean
  port?: ConsolePort
  /** XO's socket, once attached. */
  socket?: WebSocket
  expiry: ReturnType<typeof setTimeout>
}

/** A VM has a console while its domain exists: running or paused (XO's xapi `getVmConsole`). */
const HAS_CONSOLE = new Set(['Running', 'Paused'])

/**
 * The VM consoles main relays. `open` checks over REST what XO's console proxy would refuse
 * without a word (the socket just ends): the instance, the object, that it runs; and audits it.
 * `attach` then opens XO's socket and relays it to the renderer's port.
 */
export class ConsoleService {
  readonly #opened = new Map<string, Opened>()

  constructor(private readonly deps: { instances: InstanceRegistry; audit: AuditLog; log: Log }) {}

  async open(input: ConsoleOpenInput, signal: AbortSignal): Promise<ConsoleTicket> {
    const instance = this.deps.instances.get(input.instanceId)
    const host = instance.client.baseUrl.host
    const subject = {
      instance: { id: instance.id, name: instance.label },
      object: { collection: input.collection, id: input.id },
      action: 'console.open',
    }
    try {
      const { target, title } = await this.#check(instance, input, signal)
      const viewOnly = instance.details?.readOnly === true
      const consoleId = randomUUID()
      const expiry = setTimeout(() => this.#opened.delete(consoleId), TICKET_MS)
      expiry.unref()
      this.#opened.set(consoleId, { instance, target, title, viewOnly, attached: false, expiry })
      await this.deps.audit.record({
        ...subject,
        object: { ...subject.object, name: title },
        outcome: 'succeeded',
      })
      return { consoleId, title, viewOnly }
    } catch (err) {
      const error =
        err instanceof AppFailure ? err.appError : toXoAppError(err, { host, credentials: 'token' })
      await this.deps.audit.record({
        ...subject,
        outcome: 'refused',
        error: { code: error.code, message: error.message },
      })
      throw err instanceof AppFailure
        ? err
        : new AppFailure(error.code, error.message, error.action, error.retryable)
    }
  }

  /** Opens XO's socket for a checked console and relays it to `port`, once. */
  attach(consoleId: string, port: ConsolePort): void {
    const opened = this.#opened.get(consoleId)
    if (!opened || opened.attached) {
      port.post({
        kind: 'ended',
        wasOpen: false,
        error: {
          code: 'invalid-input',
          message: 'This console was not opened, or is already shown elsewhere.',
          action: 'Open the console again from the VM’s details.',
          retryable: true,
        },
      })
      return port.close()
    }
    clearTimeout(opened.expiry)
    opened.attached = true
    opened.port = port
    const socket = opened.instance.openConsole(opened.target)
    opened.socket = socket
    relayConsole(socket, port, {
      viewOnly: opened.viewOnly,
      onEnd: (end) => {
        // Closed by the viewer (its port, or `console.close`): nobody to tell.
        if (end.by === 'viewer' || !this.#opened.delete(consoleId)) return
        void this.#explain(opened, end).then((error) => {
          port.post({ kind: 'ended', wasOpen: end.wasOpen, error })
          port.close()
        })
      },
    })
  }

  /** Closes a console the renderer no longer shows. */
  close(consoleId: string): void {
    const opened = this.#opened.get(consoleId)
    if (!opened) return
    this.#opened.delete(consoleId)
    clearTimeout(opened.expiry)
    opened.socket?.close(1000)
    opened.port?.close()
  }

  async #check(
    instance: Instance,
    input: ConsoleOpenInput,
    signal: AbortSignal,
  ): Promise<{ target: string; title: string }> {
    if (input.collection === 'hosts') {
      const host = await instance.client.get('hosts', input.id, signal)
      const name = String(host.name_label ?? input.id)
      if (host.power_state !== 'Running') throw notRunning(name, 'host', String(host.power_state))
      const dom0 = (host as { controlDomain?: unknown }).controlDomain
      if (typeof dom0 !== 'string' || dom0 === '')
        throw new AppFailure(
          'not-found',
          `XO does not say which control domain ${name} runs.`,
          'Open the console of one of its VMs, or use XO’s web UI for this host.',
        )
      return { target: dom0, title: `${name} (control domain)` }
    }
    const vm = await instance.client.get('vms', input.id, signal)
    const name = String(vm.name_label ?? input.id)
    if (!HAS_CONSOLE.has(String(vm.power_state)))
      throw notRunning(name, 'VM', String(vm.power_state))
    return { target: input.id, title: name }
  }

  /** Why a relayed console ended, for the viewer. */
  async #explain(opened: Opened, end: RelayEnd): Promise<AppError> {
    const name = opened.title
    if (end.wasOpen && end.received > 0)
      return {
        code: 'unreachable',
        message: `The console of ${name} closed: the VM stopped or restarted, or XO went away.`,
        action: 'XO Desk opens it again when the VM runs; or open the console again.',
        retryable: true,
      }
    // XO's proxy ends a console it refuses without a word: say what REST says of the server.
    const host = opened.instance.client.baseUrl.host
    try {
      await opened.instance.client.ping(AbortSignal.timeout(10_000))
    } catch (err) {
      return toXoAppError(err, { host, credentials: 'token' })
    }
    return {
      code: 'forbidden',
      message: `XO refused the console of ${name} without saying why.`,
      action: `Check that ${name} is running and that your account may operate it (XO’s “operate” permission), then open the console again.`,
      retryable: true,
    }
  }
}

function notRunning(name: string, kind: 'VM' | 'host', state: string): AppFailure {
  return new AppFailure(
    'conflict',
    `${name} is ${state.toLowerCase()}: a ${kind} has a console only while it runs.`,
    `Start ${name}, then open its console again.`,
  )
}
