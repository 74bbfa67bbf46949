/**
 * The RFB bytes a viewer sends, with every input left out: key presses, pointer moves and clicks,
 * and clipboard text (RFC 6143 §7.5.4–7.5.6). What a read-only instance's console sends to XO, so
 * that "view only" holds in main, whatever the page asks. The handshake (version, security type,
 * ClientInit) and the display messages pass; their lengths are fixed by the protocol (§7.1–7.3,
 * §7.5.1–7.5.3), so the stream is cut into messages exactly however it arrived.
 */
export class ViewOnlyFilter {
  /** Handshake bytes still to pass: version (12), chosen security type (1), ClientInit (1). */
  #handshake = 14
  #pending = new Uint8Array(0)
  /** Bytes of a dropped message (clipboard text) still to skip. */
  #skipping = 0

  /** The part of `bytes` to send on: what completes the messages that are not input. */
  push(bytes: Uint8Array): Uint8Array {
    const data = concat(this.#pending, bytes)
    const out: Uint8Array[] = []
    let at = 0
    if (this.#handshake > 0) {
      const n = Math.min(this.#handshake, data.length)
      out.push(data.subarray(0, n))
      this.#handshake -= n
      at = n
    }
    while (at < data.length) {
      if (this.#skipping > 0) {
        const n = Math.min(this.#skipping, data.length - at)
        this.#skipping -= n
        at += n
        continue
      }
      const length = messageLength(data, at)
      if (length === undefined) break
      if (length === Number.POSITIVE_INFINITY) {
        // An unknown message: nothing after it can be cut safely, so nothing more passes.
        this.#pending = new Uint8Array(0)
        this.#skipping = Number.POSITIVE_INFINITY
        return concat(...out)
      }
      const type = data[at]
      if (type === CLIENT_CUT_TEXT) {
        // Its text may be long: skip it as it comes, without holding it.
        this.#skipping = length
        continue
      }
      if (at + length > data.length) break
      if (type !== KEY_EVENT && type !== POINTER_EVENT) out.push(data.subarray(at, at + length))
      at += length
    }
    this.#pending = data.slice(at)
    return concat(...out)
  }
}

const SET_PIXEL_FORMAT = 0
const SET_ENCODINGS = 2
const FRAMEBUFFER_UPDATE_REQUEST = 3
const KEY_EVENT = 4
const POINTER_EVENT = 5
const CLIENT_CUT_TEXT = 6

/** The whole length of the client message at `at`, or undefined until its header is in. */
function messageLength(data: Uint8Array, at: number): number | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  switch (data[at]) {
    case SET_PIXEL_FORMAT:
      return 20
    case SET_ENCODINGS:
      return at + 4 <= data.length ? 4 + 4 * view.getUint16(at + 2) : undefined
    case FRAMEBUFFER_UPDATE_REQUEST:
      return 10
    case KEY_EVENT:
      return 8
    case POINTER_EVENT:
      return 6
    case CLIENT_CUT_TEXT:
      return at + 8 <= data.length ? 8 + view.getUint32(at + 4) : undefined
    default:
      return Number.POSITIVE_INFINITY
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
