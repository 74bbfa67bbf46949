import type { AppError, ConsoleOpenInput, ConsoleTicket, XoBridge } from '@contract'
import { PortChannel, receiveConsolePort } from '../console/port-channel'

/** How often a console that ended after opening (a VM reboot) is tried again, and for how long. */
export const RECONNECT_MS = 3_000
export const RECONNECT_FOR_MS = 120_000

export type ConsolePhase = 'opening' | 'live' | 'ended'

/**
 * One console tab's connection: `console.open` (main checks the VM runs and audits it), then the
 * pipe main relays XO's socket on, as a PortChannel for noVNC. A console that ended after it had
 * opened (the VM rebooted) is opened again every RECONNECT_MS while the VM comes back.
 */
export class VmConsoleState {
  phase = $state<ConsolePhase>('opening')
  ticket = $state<ConsoleTicket | undefined>()
  error = $state<AppError | undefined>()
  /** Trying again after the console ended (a reboot). */
  reconnecting = $state(false)

  readonly #xo: XoBridge
  readonly #target: ConsoleOpenInput
  #retryUntil = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false

  constructor(xo: XoBridge, target: ConsoleOpenInput) {
    this.#xo = xo
    this.#target = target
  }

  /** Opens the console; `show` gets each new channel (the first, and one per reconnection). */
  async open(show: (channel: PortChannel, ticket: ConsoleTicket) => void): Promise<void> {
    this.phase = 'opening'
    const res = await this.#xo.invoke('console.open', this.#target)
    if (this.#closed) {
      if (res.ok) void this.#xo.invoke('console.close', { consoleId: res.value.consoleId })
      return
    }
    if (!res.ok) return this.#ended(res.error, show)
    this.ticket = res.value
    const port = receiveConsolePort(res.value.consoleId)
    this.#xo.connectConsole(res.value.consoleId)
    const channel = new PortChannel(await port)
    show(channel, res.value)
  }

  /** The channel opened: noVNC is connected. */
  connected(): void {
    this.phase = 'live'
    this.error = undefined
    this.reconnecting = false
    this.#retryUntil = 0
  }

  /** The channel closed: why, and whether to try again. */
  disconnected(
    channel: PortChannel,
    show: (channel: PortChannel, ticket: ConsoleTicket) => void,
  ): void {
    if (this.#closed) return
    const ended = channel.ended
    if (ended?.wasOpen) this.#retryUntil = Date.now() + RECONNECT_FOR_MS
    this.#ended(
      ended?.error ?? {
        code: 'unreachable',
        message: 'The console closed.',
        action: 'Open the console again.',
        retryable: true,
      },
      show,
    )
  }

  #ended(error: AppError, show: (channel: PortChannel, ticket: ConsoleTicket) => void): void {
    this.phase = 'ended'
    this.error = error
    this.reconnecting = Date.now() < this.#retryUntil
    if (this.reconnecting) this.#timer = setTimeout(() => void this.open(show), RECONNECT_MS)
  }

  /** The tab closed: main forgets the console. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    if (this.ticket) void this.#xo.invoke('console.close', { consoleId: this.ticket.consoleId })
  }
}
