import {
  encodeRaw,
  NATIVE_FORMAT,
  readPixelFormat,
  unsupportedReason,
  writePixelFormat,
  type PixelFormat,
} from './pixel-format'
import { contains, intersect, union, type Rect } from './rect'

/** What an RFB session shows and where it sends the viewer's input. */
export interface RfbScreen {
  readonly width: number
  readonly height: number
  /** 0x00RRGGBB per pixel, row by row. */
  readonly pixels: Uint32Array
  /** Calls back with each area that changed; returns the unsubscribe. */
  onChange(listener: (area: Rect) => void): () => void
  key(down: boolean, keysym: number): void
  pointer(buttons: number, x: number, y: number): void
  cutText(text: string): void
}

/** Where the session writes its bytes (a WebSocket, a test). */
export interface BytePipe {
  send(bytes: Uint8Array): void
}

export interface RfbSessionOptions {
  /** The desktop name sent in ServerInit. */
  name: string
  /** Called once when the session ends itself (a protocol error); the transport should close. */
  onClose?: (reason: string) => void
}

const VERSION = 'RFB 003.008\n'
const SECURITY_NONE = 1
/** A ClientCutText longer than this is taken as garbage rather than buffered. */
const MAX_CUT_TEXT = 1024 * 1024

const MESSAGE = {
  setPixelFormat: 0,
  setEncodings: 2,
  framebufferUpdateRequest: 3,
  keyEvent: 4,
  pointerEvent: 5,
  clientCutText: 6,
} as const

type State = 'version' | 'security' | 'client-init' | 'normal' | 'closed'

/**
 * The server side of one RFB 3.8 connection (RFC 6143), with 3.3 and 3.7 clients accepted too.
 * Security is None; updates are Raw rectangles in the client's pixel format. Bytes arrive in
 * arbitrary pieces: they are buffered and parsed as whole messages become available.
 */
export class RfbSession {
  #state: State = 'version'
  #minor = 8
  #buffer = new Uint8Array(0)
  #format: PixelFormat = NATIVE_FORMAT
  /** What changed on the screen since this client's last update. */
  #dirty: Rect | undefined
  /** An incremental request waiting for a change. */
  #pending: Rect | undefined
  readonly #unsubscribe: () => void

  constructor(
    private readonly pipe: BytePipe,
    private readonly screen: RfbScreen,
    private readonly options: RfbSessionOptions,
  ) {
    this.#unsubscribe = screen.onChange((area) => {
      this.#dirty = union(this.#dirty, area)
      this.#answerPending()
    })
    pipe.send(ascii(VERSION))
  }

  get closed(): boolean {
    return this.#state === 'closed'
  }

  receive(bytes: Uint8Array): void {
    if (this.closed) return
    const joined = new Uint8Array(this.#buffer.length + bytes.length)
    joined.set(this.#buffer)
    joined.set(bytes, this.#buffer.length)
    this.#buffer = joined
    while (!this.closed && this.#buffer.length > 0) {
      const b = this.#buffer
      const used = this.#parse(new DataView(b.buffer, b.byteOffset, b.byteLength))
      if (used === 0) break
      this.#buffer = b.subarray(used)
    }
  }

  /** Stops the session (the transport went away); nothing is sent any more. */
  close(): void {
    if (this.closed) return
    this.#state = 'closed'
    this.#unsubscribe()
  }

  #fail(reason: string): void {
    this.close()
    this.options.onClose?.(reason)
  }

  /** Handles one whole message at the start of `view`: the bytes it used, 0 if incomplete. */
  #parse(view: DataView): number {
    switch (this.#state) {
      case 'version':
        return this.#onVersion(view)
      case 'security':
        return this.#onSecurity(view)
      case 'client-init':
        return this.#onClientInit(view)
      case 'normal':
        return this.#onMessage(view)
      case 'closed':
        return 0
    }
  }

  #onVersion(view: DataView): number {
    if (view.byteLength < 12) return 0
    const text = String.fromCharCode(...new Uint8Array(view.buffer, view.byteOffset, 12))
    const match = /^RFB 003\.00([378])\n$/.exec(text)
    if (!match) {
      this.#fail(`unsupported protocol version ${JSON.stringify(text)}`)
      return 12
    }
    this.#minor = Number(match[1])
    if (this.#minor === 3) {
      // 3.3: the server imposes the security type, as a 32-bit word, and sends no result for None.
      this.pipe.send(u32(SECURITY_NONE))
      this.#state = 'client-init'
    } else {
      this.pipe.send(Uint8Array.of(1, SECURITY_NONE))
      this.#state = 'security'
    }
    return 12
  }

  #onSecurity(view: DataView): number {
    if (view.byteLength < 1) return 0
    const chosen = view.getUint8(0)
    if (chosen !== SECURITY_NONE) {
      if (this.#minor === 8)
        this.pipe.send(concat(u32(1), lengthPrefixed('unsupported security type')))
      this.#fail(`client chose security type ${chosen}`)
      return 1
    }
    // Only 3.8 confirms a None security with a SecurityResult.
    if (this.#minor === 8) this.pipe.send(u32(0))
    this.#state = 'client-init'
    return 1
  }

  #onClientInit(view: DataView): number {
    if (view.byteLength < 1) return 0
    // The shared flag is ignored: every viewer of a VM shares its screen.
    const size = new Uint8Array(4)
    new DataView(size.buffer).setUint16(0, this.screen.width)
    new DataView(size.buffer).setUint16(2, this.screen.height)
    const name = new TextEncoder().encode(this.options.name)
    this.pipe.send(concat(size, writePixelFormat(NATIVE_FORMAT), u32(name.length), name))
    this.#state = 'normal'
    return 1
  }

  #onMessage(view: DataView): number {
    const type = view.getUint8(0)
    const has = (n: number): boolean => view.byteLength >= n
    switch (type) {
      case MESSAGE.setPixelFormat: {
        if (!has(20)) return 0
        const format = readPixelFormat(view, 4)
        const reason = unsupportedReason(format)
        if (reason) this.#fail(reason)
        else this.#format = format
        return 20
      }
      case MESSAGE.setEncodings: {
        if (!has(4)) return 0
        const length = 4 + view.getUint16(2) * 4
        // Raw is the only encoding sent (every client must support it); the list is skipped.
        return has(length) ? length : 0
      }
      case MESSAGE.framebufferUpdateRequest: {
        if (!has(10)) return 0
        const incremental = view.getUint8(1) !== 0
        const area = {
          x: view.getUint16(2),
          y: view.getUint16(4),
          width: view.getUint16(6),
          height: view.getUint16(8),
        }
        this.#onUpdateRequest(incremental, area)
        return 10
      }
      case MESSAGE.keyEvent:
        if (!has(8)) return 0
        this.screen.key(view.getUint8(1) !== 0, view.getUint32(4))
        return 8
      case MESSAGE.pointerEvent:
        if (!has(6)) return 0
        this.screen.pointer(view.getUint8(1), view.getUint16(2), view.getUint16(4))
        return 6
      case MESSAGE.clientCutText: {
        if (!has(8)) return 0
        const length = view.getUint32(4)
        if (length > MAX_CUT_TEXT) {
          this.#fail(`ClientCutText of ${length} bytes`)
          return 8
        }
        if (!has(8 + length)) return 0
        const bytes = new Uint8Array(view.buffer, view.byteOffset + 8, length)
        this.screen.cutText(Buffer.from(bytes).toString('latin1')) // RFB cut text is Latin-1
        return 8 + length
      }
      default:
        // RFB messages carry no length: past an unknown type, nothing can be parsed any more.
        this.#fail(`unknown client message type ${type}`)
        return 1
    }
  }

  #onUpdateRequest(incremental: boolean, requested: Rect): void {
    const screen = { x: 0, y: 0, width: this.screen.width, height: this.screen.height }
    const area = intersect(requested, screen)
    if (!area) {
      this.pipe.send(Uint8Array.of(0, 0, 0, 0)) // an update of no rectangles: nothing to show
      return
    }
    if (!incremental) {
      this.#sendUpdate(area)
      return
    }
    this.#pending = area
    this.#answerPending()
  }

  /** Sends the pending request's share of what changed, if anything did. */
  #answerPending(): void {
    if (!this.#pending || !this.#dirty || this.closed) return
    const changed = intersect(this.#pending, this.#dirty)
    if (!changed) return
    this.#pending = undefined
    this.#sendUpdate(changed)
  }

  #sendUpdate(area: Rect): void {
    // One dirty box is kept: it is forgotten only once an update has covered all of it.
    if (this.#dirty && contains(area, this.#dirty)) this.#dirty = undefined
    const header = new Uint8Array(16)
    const view = new DataView(header.buffer)
    view.setUint8(0, 0) // FramebufferUpdate
    view.setUint16(2, 1)
    view.setUint16(4, area.x)
    view.setUint16(6, area.y)
    view.setUint16(8, area.width)
    view.setUint16(10, area.height)
    view.setInt32(12, 0) // Raw
    const body = encodeRaw(this.screen.pixels, this.screen.width, area, this.#format)
    this.pipe.send(concat(header, body))
  }
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0))
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value)
  return bytes
}

function lengthPrefixed(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text)
  return concat(u32(bytes.length), bytes)
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
