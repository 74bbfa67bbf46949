// X11 keysyms, as RFB's KeyEvent carries them (RFC 6143 §7.5.4).
const CONTROL = 0xffe3
const ALT = 0xffe9
const DELETE = 0xffff
const BACKSPACE = 0xff08
const F1 = 0xffbe
const RETURN = 0xff0d
const TAB = 0xff09

/** Key combinations the OS would keep for itself, sent from the console's menu. */
export const COMBOS: readonly { label: string; keys: readonly number[] }[] = [
  { label: 'Ctrl+Alt+Del', keys: [CONTROL, ALT, DELETE] },
  { label: 'Ctrl+Alt+Backspace', keys: [CONTROL, ALT, BACKSPACE] },
  ...Array.from({ length: 7 }, (_, i) => ({
    label: `Ctrl+Alt+F${i + 1}`,
    keys: [CONTROL, ALT, F1 + i],
  })),
  { label: 'Alt+Tab', keys: [ALT, TAB] },
]

/**
 * The keysyms that type `text`: Latin-1 characters are their own keysym, others Unicode's
 * (0x01000000 + code point), a line break Return, a tab Tab.
 */
export function keysymsOf(text: string): number[] {
  const out: number[] = []
  for (const char of text.replace(/\r\n?/g, '\n')) {
    const code = char.codePointAt(0) ?? 0
    if (char === '\n') out.push(RETURN)
    else if (char === '\t') out.push(TAB)
    else if (code >= 0x20 && code <= 0x7e) out.push(code)
    else if (code >= 0xa0 && code <= 0xff) out.push(code)
    else if (code > 0xff) out.push(0x01000000 + code)
  }
  return out
}
