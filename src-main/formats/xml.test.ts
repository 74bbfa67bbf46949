import { describe, expect, it } from 'vitest'
import { decodeXmlRpc, encodeXmlRpc, parseOvaXml } from './xva-metadata'
import { FormatError } from './format-error'
import { XmlSyntaxError, attr, childNamed, parseXml } from './xml'

describe('parseXml', () => {
  it('reads elements, prefixed attributes, entities, CDATA and comments', () => {
    const el = parseXml(
      `<?xml version="1.0"?><!-- c --><a:Root x:k="1 &gt; 0" b='q'><B>t &amp; &#x41;&#66;<![CDATA[<raw>]]></B><C/></a:Root>`,
    )
    expect(el.name).toBe('a:Root')
    expect(attr(el, 'k')).toBe('1 > 0')
    expect(childNamed(el, 'B')?.text).toBe('t & AB<raw>')
    expect(el.children.map((c) => c.name)).toEqual(['B', 'C'])
  })

  it('refuses malformed documents with XmlSyntaxError', () => {
    for (const bad of ['<a><b></a>', '<a>', '', 'text', '<a/><b/>', '<a>&bogus;</a>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlSyntaxError)
    }
  })
})

describe('XML-RPC values', () => {
  it('round-trip structs, arrays, booleans and awkward strings', () => {
    const v = { s: 'a<b>&"c"', n: 42, f: 1.5, yes: true, list: ['x', { k: 'v' }], empty: {} }
    const back = decodeXmlRpc(parseXml(encodeXmlRpc(v)))
    expect(back).toEqual({ ...v, n: '42' }) // integers travel as strings, as XAPI sends them
  })

  it('ova.xml without a VM is refused as bad-ova-xml', () => {
    const xml = `<value>${encodeXmlRpc({ version: {}, objects: [] }).slice(7)}`
    expect(() => parseOvaXml(xml)).toThrow(FormatError)
    expect(() => parseOvaXml('<value><struct>')).toThrow(/ova.xml/)
  })
})
