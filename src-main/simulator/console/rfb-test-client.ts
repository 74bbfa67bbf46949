// A small RFB client for the console tests: speaks the client side of RFC 6143 over any byte
// transport, reading the server's bytes however they are split.
import { readPixelFormat, writePixelFormat, type PixelFormat } from './pixel-format'
import type { Rect } from './rect'

/** 16-bit big-endian RGB565, as a bandwidth-saving viewer asks. */
export const RGB565: PixelFormat = {
  bitsPerPixel: 16,
  depth: 16,
  bigEndian: true,
  trueColour: true,
  redMax: 31,
  greenMax: 63,
  blueMax: 31,
  redShift: 11,
  greenShift: 5,
  blueShift: 0,
}

/** Bytes received, read back by exact counts. */
export class ByteQueue {
  #data = new Uint8Array(0)
  #ended = false
  #waiters: (() => void)[] = []

  /** How many bytes were received, read or not. */
  received = 0

  push(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.#data.length + bytes.length)
    joined.set(this.#data)
    joined.set(bytes, this.#data.length)
    this.#data = joined
    this.received += bytes.length
    this.#wake()
  }

  end(): void {
    this.#ended = true
    this.#wake()
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter()
  }

  #next(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve))
  }

  get ended(): boolean {
    return this.#ended
  }

  /** Bytes received but not read yet. */
  get unread(): number {
    return this.#data.length
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.#data.length < n) {
      if (this.#ended) throw new Error(`the connection ended with ${this.#data.length}/${n} bytes`)
      await this.#next()
    }
    const out = this.#data.slice(0, n)
    this.#data = this.#data.subarray(n)
    return out
  }

  /** Resolves when the connection ends. */
  async closed(): Promise<void> {
    while (!this.#ended) await this.#next()
  }
}

export interface ServerInit {
  version: string
  width: number
  height: number
  format: PixelFormat
  name: string
}

export interface UpdateRect extends Rect {
  encoding: number
  /** The Raw pixels, in the format the client set. */
  data: Uint8Array
}

const view = (bytes: Uint8Array): DataView =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export class RfbTestClient {
  format: PixelFormat | undefined

  constructor(
    private readonly send: (bytes: Uint8Array) => void,
    readonly incoming: ByteQueue,
  ) {}

  /** Version, security None, ClientInit; returns what the server announced. */
  async handshake(version = '003.008'): Promise<ServerInit> {
    const server = new TextDecoder().decode(await this.incoming.read(12))
    this.send(new TextEncoder().encode(`RFB ${version}\n`))
    if (version === '003.003') {
      const type = view(await this.incoming.read(4)).getUint32(0)
      if (type !== 1) throw new Error(`security type ${type}`)
    } else {
      const count = (await this.incoming.read(1))[0] ?? 0
      const types = [...(await this.incoming.read(count))]
      if (!types.includes(1)) throw new Error(`no None security in ${types.join()}`)
      this.send(Uint8Array.of(1))
      if (version === '003.008') {
        const result = view(await this.incoming.read(4)).getUint32(0)
        if (result !== 0) throw new Error(`SecurityResult ${result}`)
      }
    }
    this.send(Uint8Array.of(1)) // shared
    const init = view(await this.incoming.read(24))
    const format = readPixelFormat(init, 4)
    const name = new TextDecoder().decode(await this.incoming.read(init.getUint32(20)))
    this.format = format
    return { version: server, width: init.getUint16(0), height: init.getUint16(2), format, name }
  }

  /** Any bytes, e.g. a message the protocol does not have. */
  raw(bytes: Uint8Array): void {
    this.send(bytes)
  }

  setPixelFormat(format: PixelFormat): void {
    const message = new Uint8Array(20)
    message.set(writePixelFormat(format), 4)
    this.send(message)
    this.format = format
  }

  setEncodings(encodings: number[]): void {
    const message = new Uint8Array(4 + encodings.length * 4)
    const v = view(message)
    v.setUint8(0, 2)
    v.setUint16(2, encodings.length)
    encodings.forEach((e, i) => v.setInt32(4 + i * 4, e))
    this.send(message)
  }

  requestUpdate(incremental: boolean, area: Rect): void {
    const message = new Uint8Array(10)
    const v = view(message)
    v.setUint8(0, 3)
    v.setUint8(1, incremental ? 1 : 0)
    v.setUint16(2, area.x)
    v.setUint16(4, area.y)
    v.setUint16(6, area.width)
    v.setUint16(8, area.height)
    this.send(message)
  }

  key(down: boolean, keysym: number): void {
    const message = new Uint8Array(8)
    const v = view(message)
    v.setUint8(0, 4)
    v.setUint8(1, down ? 1 : 0)
    v.setUint32(4, keysym)
    this.send(message)
  }

  /** Presses and releases each character's key (ASCII keysyms are the characters). */
  type(text: string): void {
    for (const char of text) {
      this.key(true, char.charCodeAt(0))
      this.key(false, char.charCodeAt(0))
    }
  }

  pointer(buttons: number, x: number, y: number): void {
    const message = new Uint8Array(6)
    const v = view(message)
    v.setUint8(0, 5)
    v.setUint8(1, buttons)
    v.setUint16(2, x)
    v.setUint16(4, y)
    this.send(message)
  }

  click(x: number, y: number): void {
    this.pointer(1, x, y)
    this.pointer(0, x, y)
  }

  cutText(text: string): void {
    const body = Buffer.from(text, 'latin1')
    const message = new Uint8Array(8 + body.length)
    message[0] = 6
    view(message).setUint32(4, body.length)
    message.set(body, 8)
    this.send(message)
  }

  /** The next FramebufferUpdate (Raw rectangles only). */
  async readUpdate(): Promise<UpdateRect[]> {
    const header = view(await this.incoming.read(4))
    if (header.getUint8(0) !== 0) throw new Error(`server message type ${header.getUint8(0)}`)
    const size = (this.format?.bitsPerPixel ?? 32) / 8
    const rects: UpdateRect[] = []
    for (let i = 0; i < header.getUint16(2); i++) {
      const r = view(await this.incoming.read(12))
      const rect = {
        x: r.getUint16(0),
        y: r.getUint16(2),
        width: r.getUint16(4),
        height: r.getUint16(6),
      }
      const encoding = r.getInt32(8)
      if (encoding !== 0) throw new Error(`encoding ${encoding}`)
      rects.push({
        ...rect,
        encoding,
        data: await this.incoming.read(rect.width * rect.height * size),
      })
    }
    return rects
  }
}

/** A Raw rectangle in the server's native format (B G R x bytes) as RGBA, like `frame()`. */
export function nativeToRgba(data: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i += 4) {
    rgba[i] = data[i + 2] ?? 0
    rgba[i + 1] = data[i + 1] ?? 0
    rgba[i + 2] = data[i] ?? 0
    rgba[i + 3] = 255
  }
  return rgba
}

/** The RGBA of an area cut out of a whole frame. */
export function cropRgba(frame: { width: number; rgba: Uint8Array }, area: Rect): Uint8Array {
  const out = new Uint8Array(area.width * area.height * 4)
  for (let y = 0; y < area.height; y++) {
    const start = ((area.y + y) * frame.width + area.x) * 4
    out.set(frame.rgba.subarray(start, start + area.width * 4), y * area.width * 4)
  }
  return out
}

/**
 * Where two byte arrays first differ, or undefined when they are equal (a deep `toEqual` on
 * megabytes of pixels is slow and its diff unreadable).
 */
export function firstDifference(
  actual: Uint8Array,
  expected: Uint8Array,
): { at: number; actual?: number; expected?: number } | undefined {
  if (Buffer.from(actual).equals(Buffer.from(expected))) return undefined
  let at = 0
  while (actual[at] === expected[at]) at++
  return { at, actual: actual[at], expected: expected[at] }
}

/** What a viewer should receive for these RGBA pixels in `format`, computed byte by byte. */
export function expectedPixels(rgba: Uint8Array, format: PixelFormat): Uint8Array {
  const size = format.bitsPerPixel / 8
  const out = new Uint8Array((rgba.length / 4) * size)
  for (let i = 0; i < rgba.length / 4; i++) {
    const channel = (v: number, max: number, shift: number): number =>
      Math.round((v * max) / 255) * 2 ** shift
    const value =
      channel(rgba[i * 4] ?? 0, format.redMax, format.redShift) +
      channel(rgba[i * 4 + 1] ?? 0, format.greenMax, format.greenShift) +
      channel(rgba[i * 4 + 2] ?? 0, format.blueMax, format.blueShift)
    for (let b = 0; b < size; b++) {
      const byte = Math.floor(value / 2 ** (8 * b)) & 255
      out[i * size + (format.bigEndian ? size - 1 - b : b)] = byte
    }
  }
  return out
}
