import { describe, expect, it } from 'vitest'
import { ViewOnlyFilter } from './view-only-filter'

const HANDSHAKE = [...Buffer.from('RFB 003.008\n'), 1, 1]
const UPDATE_REQUEST = [3, 1, 0, 0, 0, 0, 3, 32, 2, 88]
const KEY = [4, 1, 0, 0, 0, 0, 0, 0x61]
const POINTER = [5, 1, 0, 10, 0, 20]
const ENCODINGS = [2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21]
const cutText = (text: string): number[] => {
  const bytes = [...Buffer.from(text)]
  return [6, 0, 0, 0, 0, 0, 0, bytes.length, ...bytes]
}

function through(filter: ViewOnlyFilter, chunks: number[][]): number[] {
  return chunks.flatMap((c) => [...filter.push(Uint8Array.from(c))])
}

describe('a read-only console', () => {
  it('passes the handshake and the display requests but no key, click or pasted text', () => {
    const sent = [
      ...HANDSHAKE,
      ...ENCODINGS,
      ...UPDATE_REQUEST,
      ...KEY,
      ...POINTER,
      ...cutText('rm -rf /'),
      ...UPDATE_REQUEST,
    ]
    expect(through(new ViewOnlyFilter(), [sent])).toEqual([
      ...HANDSHAKE,
      ...ENCODINGS,
      ...UPDATE_REQUEST,
      ...UPDATE_REQUEST,
    ])
  })

  it('cuts the stream into messages the same however it is split', () => {
    const sent = [
      ...HANDSHAKE,
      ...KEY,
      ...UPDATE_REQUEST,
      ...cutText('secret'),
      ...POINTER,
      ...ENCODINGS,
    ]
    const byteByByte = sent.map((b) => [b])
    expect(through(new ViewOnlyFilter(), byteByByte)).toEqual([
      ...HANDSHAKE,
      ...UPDATE_REQUEST,
      ...ENCODINGS,
    ])
  })

  it('sends nothing after a message it does not know', () => {
    const sent = [...HANDSHAKE, 99, ...KEY, ...UPDATE_REQUEST]
    expect(through(new ViewOnlyFilter(), [sent])).toEqual(HANDSHAKE)
  })
})
