/**
 * Just enough XML for ova.xml (XML-RPC values) and OVF descriptors: elements, attributes, text,
 * comments, CDATA, the five named entities and numeric references. No DTDs, no external entities
 * (nothing to expand, so no billion-laughs), no namespaces beyond keeping the prefix in the name.
 */

export interface XmlElement {
  /** Qualified name as written, e.g. `rasd:ResourceType`. */
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  /** Concatenated character data directly inside this element. */
  text: string
}

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError'
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function decodeEntities(s: string): string {
  return s.replace(/&([^;&\s]{1,10});/g, (_, ref: string) => {
    const named = NAMED[ref]
    if (named !== undefined) return named
    const code = /^#x[0-9a-f]+$/i.test(ref)
      ? parseInt(ref.slice(2), 16)
      : /^#[0-9]+$/.test(ref)
        ? parseInt(ref.slice(1), 10)
        : NaN
    if (!Number.isInteger(code) || code > 0x10ffff)
      throw new XmlSyntaxError(`unknown entity &${ref};`)
    return String.fromCodePoint(code)
  })
}

/** The part after the namespace prefix: `rasd:ResourceType` → `ResourceType`. */
export function localName(name: string): string {
  const i = name.indexOf(':')
  return i < 0 ? name : name.slice(i + 1)
}

export function childrenNamed(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => localName(c.name) === local)
}

export function childNamed(el: XmlElement, local: string): XmlElement | undefined {
  return el.children.find((c) => localName(c.name) === local)
}

/** An attribute by local name, whatever its prefix (`ovf:capacity` or `capacity`). */
export function attr(el: XmlElement, local: string): string | undefined {
  for (const [k, v] of Object.entries(el.attrs)) if (localName(k) === local) return v
  return undefined
}

/** Index of the `>` closing the start tag at `from`, skipping quoted attribute values (`>` is legal in them). */
function tagEnd(src: string, from: number): number {
  let quote = ''
  for (let j = from; j < src.length; j++) {
    const c = src[j]!
    if (quote) {
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '>') return j
  }
  return -1
}

const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

export function parseXml(src: string): XmlElement {
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  let i = 0
  const fail = (msg: string): never => {
    throw new XmlSyntaxError(`${msg} at character ${i}`)
  }
  const skipTo = (end: string): void => {
    const j = src.indexOf(end, i)
    if (j < 0) fail(`unterminated ${src.slice(i, i + 9)}`)
    i = j + end.length
  }
  while (i < src.length) {
    const lt = src.indexOf('<', i)
    const textEnd = lt < 0 ? src.length : lt
    if (textEnd > i) {
      const text = src.slice(i, textEnd)
      const top = stack[stack.length - 1]
      if (top) top.text += decodeEntities(text)
      else if (text.trim()) fail('text outside the root element')
      i = textEnd
      continue
    }
    if (src.startsWith('<?', i)) skipTo('?>')
    else if (src.startsWith('<!--', i)) skipTo('-->')
    else if (src.startsWith('<![CDATA[', i)) {
      const start = i + 9
      skipTo(']]>')
      const top = stack[stack.length - 1] ?? fail('CDATA outside the root element')
      top.text += src.slice(start, i - 3)
    } else if (src.startsWith('<!', i)) skipTo('>')
    else if (src.startsWith('</', i)) {
      const end = src.indexOf('>', i)
      if (end < 0) fail('unterminated end tag')
      const name = src.slice(i + 2, end).trim()
      const open = stack.pop()
      if (!open || open.name !== name) fail(`</${name}> does not close <${open?.name ?? ''}>`)
      i = end + 1
    } else {
      const end = tagEnd(src, i)
      if (end < 0) fail('unterminated start tag')
      let body = src.slice(i + 1, end)
      const selfClosing = body.endsWith('/')
      if (selfClosing) body = body.slice(0, -1)
      const name = /^[^\s/>]+/.exec(body)?.[0] ?? fail('element without a name')
      const attrs: Record<string, string> = {}
      for (const m of body.slice(name.length).matchAll(ATTR)) {
        attrs[m[1]!] = decodeEntities(m[2] ?? m[3] ?? '')
      }
      const el: XmlElement = { name, attrs, children: [], text: '' }
      const parent = stack[stack.length - 1]
      if (parent) parent.children.push(el)
      else if (root) fail('a second root element')
      else root = el
      if (!selfClosing) stack.push(el)
      i = end + 1
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`)
  return root ?? fail('no root element')
}
