import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './font'
import type { Rect } from './rect'
import type { RfbScreen } from './rfb-server'

/** What the console received, for tests to read. */
export interface ConsoleEvents {
  /** Printable characters typed, in order (Enter and BackSpace edit the screen, not this). */
  typed: string
  /** Key combinations recognised, e.g. `['Ctrl+Alt+Del']`. */
  combos: string[]
  clicks: number
  cutText: string[]
  /** Keysyms of every key pressed (down events), in order. */
  keys: number[]
}

export interface ConsoleFrame {
  width: number
  height: number
  /** 4 bytes a pixel, R G B A (A always 255), row by row. */
  rgba: Uint8Array
}

const KEY = {
  backSpace: 0xff08,
  enter: [0xff0d, 0xff8d], // Return, keypad Enter
  control: [0xffe3, 0xffe4],
  alt: [0xffe9, 0xffea, 0xffe7, 0xffe8], // Alt_L/R, Meta_L/R
  delete: [0xffff, 0xff9f], // Delete, keypad Delete
}

const SCALE = 2
const CELL_WIDTH = GLYPH_WIDTH * SCALE + 2
const CELL_HEIGHT = GLYPH_HEIGHT * SCALE + 4

const COLOUR = {
  background: 0x101820,
  text: 0xc8d0d8,
  headerBackground: 0x2a4a6a,
  headerText: 0xffffff,
  notice: 0xffcc44,
  marker: 0xff3030,
}

/**
 * The generated screen of one VM: a text console with a header, a login-prompt-like area showing
 * what is typed, and lines noting Ctrl+Alt+Del, clicks (with a marker where the last one landed)
 * and clipboard text. Redrawn whole from its state after each event, so the same events always
 * give the same pixels; listeners get the area that changed.
 */
export class ConsoleScreen implements RfbScreen {
  readonly width: number
  readonly height: number
  #pixels: Uint32Array
  readonly #listeners = new Set<(area: Rect) => void>()
  readonly #events: ConsoleEvents = { typed: '', combos: [], clicks: 0, cutText: [], keys: [] }
  readonly #held = new Set<number>()
  /** Lines of the prompt area; the last is being typed. */
  readonly #lines: string[] = ['']
  #buttons = 0
  #lastClick: { x: number; y: number } | undefined

  constructor(
    readonly name: string,
    size: { width: number; height: number } = { width: 800, height: 600 },
  ) {
    this.width = size.width
    this.height = size.height
    this.#pixels = this.#draw()
  }

  /** 0x00RRGGBB per pixel, row by row. */
  get pixels(): Uint32Array {
    return this.#pixels
  }

  get events(): ConsoleEvents {
    const e = this.#events
    return { ...e, combos: [...e.combos], cutText: [...e.cutText], keys: [...e.keys] }
  }

  onChange(listener: (area: Rect) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  key(down: boolean, keysym: number): void {
    if (!down) {
      this.#held.delete(keysym)
      return
    }
    const repeat = this.#held.has(keysym)
    this.#held.add(keysym)
    this.#events.keys.push(keysym)
    const held = (group: number[]): boolean => group.some((k) => this.#held.has(k))
    const ctrl = held(KEY.control)
    const alt = held(KEY.alt)
    if (!repeat && ctrl && alt && held(KEY.delete)) {
      this.#events.combos.push('Ctrl+Alt+Del')
    } else if (KEY.enter.includes(keysym)) {
      this.#lines.push('')
    } else if (keysym === KEY.backSpace) {
      const last = this.#lines.length - 1
      this.#lines[last] = (this.#lines[last] ?? '').slice(0, -1)
    } else if (keysym >= 0x20 && keysym <= 0x7e && !ctrl && !alt) {
      // Keysyms 0x20–0x7e are the ASCII characters themselves; with Ctrl or Alt they are shortcuts.
      const char = String.fromCharCode(keysym)
      this.#events.typed += char
      this.#lines[this.#lines.length - 1] += char
    } else {
      return
    }
    this.#redraw()
  }

  pointer(buttons: number, x: number, y: number): void {
    const pressed = (buttons & 1) !== 0 && (this.#buttons & 1) === 0
    this.#buttons = buttons
    if (!pressed) return
    this.#events.clicks++
    this.#lastClick = { x: Math.min(x, this.width - 1), y: Math.min(y, this.height - 1) }
    this.#redraw()
  }

  cutText(text: string): void {
    this.#events.cutText.push(text)
    this.#redraw()
  }

  frame(): ConsoleFrame {
    const rgba = new Uint8Array(this.width * this.height * 4)
    this.#pixels.forEach((p, i) => {
      rgba[i * 4] = (p >>> 16) & 255
      rgba[i * 4 + 1] = (p >>> 8) & 255
      rgba[i * 4 + 2] = p & 255
      rgba[i * 4 + 3] = 255
    })
    return { width: this.width, height: this.height, rgba }
  }

  #redraw(): void {
    const next = this.#draw()
    const changed = changedArea(this.#pixels, next, this.width)
    this.#pixels = next
    if (changed) for (const listener of this.#listeners) listener(changed)
  }

  #draw(): Uint32Array {
    const canvas = new Canvas(this.width, this.height)
    const columns = Math.floor(this.width / CELL_WIDTH)
    const rows = Math.floor(this.height / CELL_HEIGHT)
    canvas.fill({ x: 0, y: 0, width: this.width, height: CELL_HEIGHT }, COLOUR.headerBackground)
    canvas.text(0, 0, ` ${this.name} - XO Desk simulator console`, COLOUR.headerText, columns)

    // The prompt area scrolls: the last lines that fit, long lines wrapped.
    const wrapped = this.#lines.flatMap((line, i) => {
      const shown = (i === 0 ? 'login: ' : '> ') + line
      return Array.from({ length: Math.ceil((shown.length + 1) / columns) }, (_, k) =>
        shown.slice(k * columns, (k + 1) * columns),
      )
    })
    const statusRow = rows - 3
    const visible = wrapped.slice(-Math.max(1, statusRow - 3))
    visible.forEach((line, i) => canvas.text(0, 2 + i, line, COLOUR.text, columns))
    // A block cursor after the last character, where typing goes.
    const cursorRow = 2 + visible.length - 1
    const cursorColumn = (visible[visible.length - 1] ?? '').length
    if (cursorColumn < columns) canvas.text(cursorColumn, cursorRow, '_', COLOUR.text, columns)

    const { combos, clicks, cutText } = this.#events
    const ctrlAltDel = combos.filter((c) => c === 'Ctrl+Alt+Del').length
    if (ctrlAltDel > 0)
      canvas.text(0, statusRow, `Ctrl+Alt+Del received (${ctrlAltDel})`, COLOUR.notice, columns)
    if (this.#lastClick) {
      const { x, y } = this.#lastClick
      canvas.text(0, statusRow + 1, `Clicks: ${clicks}, last at ${x},${y}`, COLOUR.notice, columns)
      canvas.fill({ x: x - 8, y: y - 1, width: 17, height: 3 }, COLOUR.marker)
      canvas.fill({ x: x - 1, y: y - 8, width: 3, height: 17 }, COLOUR.marker)
    }
    const clipboard = cutText[cutText.length - 1]
    if (clipboard !== undefined)
      canvas.text(0, statusRow + 2, `Clipboard: ${clipboard}`, COLOUR.notice, columns)
    return canvas.pixels
  }
}

/** The bounding box of the pixels that differ, or undefined when none does. */
function changedArea(before: Uint32Array, after: Uint32Array, width: number): Rect | undefined {
  let left = width
  let right = -1
  let top = -1
  let bottom = -1
  for (let i = 0; i < after.length; i++) {
    if (before[i] === after[i]) continue
    const x = i % width
    const y = (i - x) / width
    if (top < 0) top = y
    bottom = y
    if (x < left) left = x
    if (x > right) right = x
  }
  if (top < 0) return undefined
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 }
}

/** Drawing on 0x00RRGGBB pixels; whatever falls outside is clipped. */
class Canvas {
  readonly pixels: Uint32Array

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint32Array(width * height).fill(COLOUR.background)
  }

  fill(area: Rect, colour: number): void {
    const x0 = Math.max(0, area.x)
    const x1 = Math.min(this.width, area.x + area.width)
    for (let y = Math.max(0, area.y); y < Math.min(this.height, area.y + area.height); y++) {
      if (x1 > x0) this.pixels.fill(colour, y * this.width + x0, y * this.width + x1)
    }
  }

  /** Text from a cell (column, row), cut at `columns` characters. */
  text(column: number, row: number, text: string, colour: number, columns: number): void {
    ;[...text.slice(0, Math.max(0, columns - column))].forEach((char, i) => {
      const left = (column + i) * CELL_WIDTH + 1
      const top = row * CELL_HEIGHT + 2
      glyphRows(char).forEach((bits, gy) => {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if ((bits >> (GLYPH_WIDTH - 1 - gx)) & 1) {
            const at = { x: left + gx * SCALE, y: top + gy * SCALE, width: SCALE, height: SCALE }
            this.fill(at, colour)
          }
        }
      })
    })
  }
}
