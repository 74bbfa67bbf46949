import type { Rect } from './rect'

/** How a client wants pixels encoded (RFC 6143 §7.4, PIXEL_FORMAT). */
export interface PixelFormat {
  bitsPerPixel: number
  depth: number
  bigEndian: boolean
  trueColour: boolean
  redMax: number
  greenMax: number
  blueMax: number
  redShift: number
  greenShift: number
  blueShift: number
}

/** The server's own format: the 0x00RRGGBB words of the framebuffer, little-endian. */
export const NATIVE_FORMAT: PixelFormat = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
}

/** The 16 bytes of PIXEL_FORMAT. */
export function writePixelFormat(format: PixelFormat): Uint8Array {
  const bytes = new Uint8Array(16)
  const view = new DataView(bytes.buffer)
  view.setUint8(0, format.bitsPerPixel)
  view.setUint8(1, format.depth)
  view.setUint8(2, format.bigEndian ? 1 : 0)
  view.setUint8(3, format.trueColour ? 1 : 0)
  view.setUint16(4, format.redMax)
  view.setUint16(6, format.greenMax)
  view.setUint16(8, format.blueMax)
  view.setUint8(10, format.redShift)
  view.setUint8(11, format.greenShift)
  view.setUint8(12, format.blueShift)
  return bytes
}

export function readPixelFormat(view: DataView, offset: number): PixelFormat {
  return {
    bitsPerPixel: view.getUint8(offset),
    depth: view.getUint8(offset + 1),
    bigEndian: view.getUint8(offset + 2) !== 0,
    trueColour: view.getUint8(offset + 3) !== 0,
    redMax: view.getUint16(offset + 4),
    greenMax: view.getUint16(offset + 6),
    blueMax: view.getUint16(offset + 8),
    redShift: view.getUint8(offset + 10),
    greenShift: view.getUint8(offset + 11),
    blueShift: view.getUint8(offset + 12),
  }
}

/** Why the server cannot encode this format, or undefined when it can. */
export function unsupportedReason(format: PixelFormat): string | undefined {
  const { bitsPerPixel: bpp } = format
  if (bpp !== 8 && bpp !== 16 && bpp !== 32) return `unsupported bits per pixel ${bpp}`
  // A colour-map client would need SetColourMapEntries, which no client of XO uses.
  if (!format.trueColour) return 'colour-map pixel formats are not supported'
  const channels: [number, number][] = [
    [format.redMax, format.redShift],
    [format.greenMax, format.greenShift],
    [format.blueMax, format.blueShift],
  ]
  for (const [max, shift] of channels) {
    if (max === 0 || max * 2 ** shift >= 2 ** bpp) return 'colour channels do not fit the pixel'
  }
  return undefined
}

/** A channel value 0–255 scaled to 0–max, rounded to the nearest. */
function scale(value: number, max: number): number {
  return Math.round((value * max) / 255)
}

/**
 * The area's pixels in the client's format, as a Raw rectangle's body: row by row, each pixel
 * bitsPerPixel/8 bytes. `pixels` holds 0x00RRGGBB words, `stride` of them per row.
 */
export function encodeRaw(
  pixels: Uint32Array,
  stride: number,
  area: Rect,
  format: PixelFormat,
): Uint8Array {
  const size = format.bitsPerPixel / 8
  const out = new Uint8Array(area.width * area.height * size)
  const view = new DataView(out.buffer)
  const little = !format.bigEndian
  // One table per channel: 0–255 to the channel's bits already in place.
  const table = (max: number, shift: number): Uint32Array =>
    Uint32Array.from({ length: 256 }, (_, v) => scale(v, max) * 2 ** shift)
  const red = table(format.redMax, format.redShift)
  const green = table(format.greenMax, format.greenShift)
  const blue = table(format.blueMax, format.blueShift)
  let at = 0
  for (let y = area.y; y < area.y + area.height; y++) {
    for (let x = area.x; x < area.x + area.width; x++) {
      const p = pixels[y * stride + x] ?? 0
      const value =
        ((red[(p >>> 16) & 255] ?? 0) | (green[(p >>> 8) & 255] ?? 0) | (blue[p & 255] ?? 0)) >>> 0
      if (size === 4) view.setUint32(at, value, little)
      else if (size === 2) view.setUint16(at, value, little)
      else view.setUint8(at, value)
      at += size
    }
  }
  return out
}
