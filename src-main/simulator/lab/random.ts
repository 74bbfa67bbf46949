/**
 * Seeded randomness for the lab: every draw comes from pure-rand's xoroshiro128+, so a seed always
 * gives the same lab. Each generation phase uses its own named stream, so changing how many tasks
 * are drawn never shifts the VMs' ids.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

/** murmur3's finalizer: spreads every input bit over the 32-bit word. */
function mix32(value: number): number {
  let h = value
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

/** Four independent 32-bit hashes of a string: a full 128-bit generator state. */
function hashState(text: string): number[] {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = 0x6a09e667
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x5bd1e995)
    c = Math.imul(c ^ code, 0x1b873593)
    d = Math.imul(d ^ code, 0xcc9e2d51)
  }
  const state = [mix32(a ^ d), mix32(b ^ a), mix32(c ^ b), mix32(d ^ c)]
  // An all-zero state would only ever produce zeros.
  return state.some((word) => word !== 0) ? state : [1, 0, 0, 0]
}

const HEX = '0123456789abcdef'
/** Char codes of the hex digits, indexed by nibble. */
const HEX_CODES = Array.from(HEX, (char) => char.charCodeAt(0))
const DASH = '-'.charCodeAt(0)
const COLON = ':'.charCodeAt(0)
const UUID_LENGTH = 36
const NO_PREFIX: readonly number[] = []
const OPAQUE_REF: readonly number[] = Array.from('OpaqueRef:', (char) => char.charCodeAt(0))

export class Random {
  readonly #generator: RandomGenerator
  /** Reused buffers for the char codes of uuids and refs (packed, fixed length). */
  readonly #uuidCodes: number[] = new Array<number>(UUID_LENGTH).fill(0)
  readonly #refCodes: number[] = new Array<number>(OPAQUE_REF.length + UUID_LENGTH).fill(0)

  private constructor(generator: RandomGenerator) {
    this.#generator = generator
  }

  /** A stream named `stream` of the lab seeded by `seed`. */
  static of(seed: string, stream: string): Random {
    const generator = xoroshiro128plusFromState(hashState(`${seed}\u0000${stream}`))
    // The first outputs of xoroshiro still reflect the raw hash; skip them.
    for (let i = 0; i < 8; i++) generator.next()
    return new Random(generator)
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.#generator, min, max)
  }

  /** Float in [0, 1). */
  float(): number {
    return uniformFloat64(this.#generator)
  }

  /** Float in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.float()
  }

  chance(probability: number): boolean {
    return this.float() < probability
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)]
    if (item === undefined) throw new Error('Random.pick: empty list')
    return item
  }

  /** One value, drawn in proportion to its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0
    for (const [, weight] of entries) total += weight
    let target = this.float() * total
    for (const [value, weight] of entries) {
      target -= weight
      if (target < 0) return value
    }
    const last = entries[entries.length - 1]
    if (!last) throw new Error('Random.weighted: empty list')
    return last[0]
  }

  /** A few distinct items, in their original order. */
  sample<T>(items: readonly T[], count: number): T[] {
    if (count >= items.length) return [...items]
    const chosen = new Set<number>()
    while (chosen.size < count) chosen.add(this.int(0, items.length - 1))
    return [...chosen].sort((x, y) => x - y).map((index) => items[index] as T)
  }

  /** 32 random bits as an unsigned integer. */
  #word(): number {
    return this.#generator.next() >>> 0
  }

  /** A random UUID in version 4 layout (XAPI's own uuids are random too). */
  uuid(): string {
    return this.#uuidWithPrefix(NO_PREFIX)
  }

  /** `OpaqueRef:<uuid>`, XAPI's reference format (`_xapiRef`). */
  opaqueRef(): string {
    return this.#uuidWithPrefix(OPAQUE_REF)
  }

  /** Built from char codes so V8 stores the string flat (a `${a}${b}` rope costs more memory). */
  #uuidWithPrefix(prefix: readonly number[]): string {
    const codes = prefix === OPAQUE_REF ? this.#refCodes : this.#uuidCodes
    let at = 0
    for (const code of prefix) codes[at++] = code
    const start = at
    for (let w = 0; w < 4; w++) {
      let word = this.#word()
      if (w === 1) word = (word & 0xffff0fff) | 0x00004000 // version nibble: 4
      if (w === 2) word = (word & 0x3fffffff) | 0x80000000 // variant bits: 10
      for (let shift = 28; shift >= 0; shift -= 4) {
        const offset = at - start
        if (offset === 8 || offset === 13 || offset === 18 || offset === 23) codes[at++] = DASH
        codes[at++] = HEX_CODES[(word >>> shift) & 0xf] as number
      }
    }
    return String.fromCharCode(...codes)
  }

  /** `length` lowercase hex digits. */
  hex(length: number): string {
    let out = ''
    while (out.length < length) out += this.#word().toString(16).padStart(8, '0')
    return out.slice(0, length)
  }

  /** A locally administered unicast MAC, like those XAPI draws for VIFs. */
  mac(): string {
    const high = this.#word()
    const low = this.#word()
    const bytes = [
      ((high >>> 24) & 0xfc) | 0x02,
      (high >>> 16) & 0xff,
      (high >>> 8) & 0xff,
      high & 0xff,
      (low >>> 8) & 0xff,
      low & 0xff,
    ]
    const codes: number[] = []
    for (const byte of bytes) {
      if (codes.length > 0) codes.push(COLON)
      codes.push(HEX_CODES[byte >>> 4] as number, HEX_CODES[byte & 0xf] as number)
    }
    return String.fromCharCode(...codes)
  }
}
