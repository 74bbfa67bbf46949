/** Stands where the markup goes; no translation contains it. */
const MARK = '\u0000'

/**
 * A message with one placeholder cut in two where the placeholder is, so that a view can put
 * markup there (`<code>`, `<strong>`) while the translation decides the word order.
 */
export function aroundSlot(render: (slot: string) => string): [before: string, after: string] {
  const [before = '', after = ''] = render(MARK).split(MARK)
  return [before, after]
}
