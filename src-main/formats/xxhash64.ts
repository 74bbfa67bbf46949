/**
 * XXH64 (seed 0), the checksum XAPI and XO write next to each XVA chunk as `.xxhash`
 * (RELIABILITY §5.4). Node has no built-in xxhash and we install nothing, so this is the reference
 * algorithm on 32-bit halves: plain numbers, no BigInt, a few hundred MB/s.
 */

// Scratch result registers (hi, lo) so the helpers allocate nothing in the hot loop.
let rh = 0
let rl = 0

const P1H = 0x9e3779b1
const P1L = 0x85ebca87
const P2H = 0xc2b2ae3d
const P2L = 0x27d4eb4f
const P3H = 0x165667b1
const P3L = 0x9e3779f9
const P4H = 0x85ebca77
const P4L = 0xc2b2ae63
const P5H = 0x27d4eb2f
const P5L = 0x165667c5

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl
  rl = lo >>> 0
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0
}

/** Low 64 bits of a 64×64 product; the low halves are split in 16-bit limbs to stay exact. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff
  const a1 = al >>> 16
  const b0 = bl & 0xffff
  const b1 = bl >>> 16
  const mid = a1 * b0 + a0 * b1
  const lo = a0 * b0 + (mid % 65536) * 65536
  rl = lo >>> 0
  const carry = Math.floor(lo / 4294967296)
  rh = (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0
}

function rotl(h: number, l: number, n: number): void {
  if (n >= 32) {
    const t = h
    h = l
    l = t
    n -= 32
  }
  if (n === 0) {
    rh = h
    rl = l
    return
  }
  rh = ((h << n) | (l >>> (32 - n))) >>> 0
  rl = ((l << n) | (h >>> (32 - n))) >>> 0
}

/** acc = rotl(acc + input * P2, 31) * P1 */
function round(ah: number, al: number, ih: number, il: number): void {
  mul(ih, il, P2H, P2L)
  add(ah, al, rh, rl)
  rotl(rh, rl, 31)
  mul(rh, rl, P1H, P1L)
}

/** acc = (acc ^ round(0, v)) * P1 + P4 */
function merge(ah: number, al: number, vh: number, vl: number): void {
  round(0, 0, vh, vl)
  mul((ah ^ rh) >>> 0, (al ^ rl) >>> 0, P1H, P1L)
  add(rh, rl, P4H, P4L)
}

/** XXH64 of `data` with seed 0, as the 16 upper-case hex digits XAPI prints (`%016LX`). */
export function xxhash64Hex(data: Uint8Array): string {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const len = data.length
  let p = 0
  let hh: number
  let hl: number
  if (len >= 32) {
    add(P1H, P1L, P2H, P2L)
    let v1h = rh
    let v1l = rl
    let v2h = P2H
    let v2l = P2L
    let v3h = 0
    let v3l = 0
    // seed - P1 == two's complement of P1
    add(~P1H >>> 0, ~P1L >>> 0, 0, 1)
    let v4h = rh
    let v4l = rl
    for (; p + 32 <= len; p += 32) {
      round(v1h, v1l, view.getUint32(p + 4, true), view.getUint32(p, true))
      v1h = rh
      v1l = rl
      round(v2h, v2l, view.getUint32(p + 12, true), view.getUint32(p + 8, true))
      v2h = rh
      v2l = rl
      round(v3h, v3l, view.getUint32(p + 20, true), view.getUint32(p + 16, true))
      v3h = rh
      v3l = rl
      round(v4h, v4l, view.getUint32(p + 28, true), view.getUint32(p + 24, true))
      v4h = rh
      v4l = rl
    }
    rotl(v1h, v1l, 1)
    let sh = rh
    let sl = rl
    for (const [h, l, n] of [
      [v2h, v2l, 7],
      [v3h, v3l, 12],
      [v4h, v4l, 18],
    ] as const) {
      rotl(h, l, n)
      add(sh, sl, rh, rl)
      sh = rh
      sl = rl
    }
    for (const [h, l] of [
      [v1h, v1l],
      [v2h, v2l],
      [v3h, v3l],
      [v4h, v4l],
    ] as const) {
      merge(sh, sl, h, l)
      sh = rh
      sl = rl
    }
    hh = sh
    hl = sl
  } else {
    hh = P5H
    hl = P5L
  }
  add(hh, hl, Math.floor(len / 4294967296), len >>> 0)
  hh = rh
  hl = rl
  for (; p + 8 <= len; p += 8) {
    round(0, 0, view.getUint32(p + 4, true), view.getUint32(p, true))
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 27)
    mul(rh, rl, P1H, P1L)
    add(rh, rl, P4H, P4L)
    hh = rh
    hl = rl
  }
  if (p + 4 <= len) {
    mul(0, view.getUint32(p, true), P1H, P1L)
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 23)
    mul(rh, rl, P2H, P2L)
    add(rh, rl, P3H, P3L)
    hh = rh
    hl = rl
    p += 4
  }
  for (; p < len; p++) {
    mul(0, data[p]!, P5H, P5L)
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 11)
    mul(rh, rl, P1H, P1L)
    hh = rh
    hl = rl
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  hl = (hl ^ (hh >>> 1)) >>> 0
  mul(hh, hl, P2H, P2L)
  hl = (rl ^ ((rl >>> 29) | (rh << 3))) >>> 0
  hh = (rh ^ (rh >>> 29)) >>> 0
  mul(hh, hl, P3H, P3L)
  hl = (rl ^ rh) >>> 0
  hh = rh
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0')
  return hex(hh) + hex(hl)
}
