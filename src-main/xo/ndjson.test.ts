import { describe, expect, it } from 'vitest'
import { MalformedResponseError } from './failures'
import { ndjsonValues } from './ndjson'

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part)
}

async function all(source: AsyncIterable<Buffer>, maxLineBytes?: number): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const value of ndjsonValues(source, maxLineBytes)) out.push(value)
  return out
}

describe('reading NDJSON line by line', () => {
  it('joins lines split across chunks and reads a last line without newline', async () => {
    expect(await all(chunks('{"a":', '1}\n{"b"', ':2}\n', '{"c":3}'))).toEqual([
      { a: 1 },
      { b: 2 },
      { c: 3 },
    ])
  })

  it('keeps a multi-byte character cut between two chunks intact', async () => {
    const bytes = Buffer.from('{"name":"Déjà vu ✓"}\n')
    const cut = bytes.indexOf(0xa9) // inside "é"
    expect(await all(chunks(bytes.subarray(0, cut), bytes.subarray(cut)))).toEqual([
      { name: 'Déjà vu ✓' },
    ])
  })

  it('skips blank lines and tolerates CRLF', async () => {
    expect(await all(chunks('\n{"a":1}\r\n\r\n"x"\n'))).toEqual([{ a: 1 }, 'x'])
  })

  it('reports a garbled line instead of skipping it', async () => {
    await expect(all(chunks('{"a":1}\n{"b":\n'))).rejects.toBeInstanceOf(MalformedResponseError)
  })

  it('stops on an endless line instead of buffering it', async () => {
    await expect(all(chunks('x'.repeat(600), 'y'.repeat(600)), 1000)).rejects.toMatchObject({
      kind: 'line-too-long',
    })
  })
})
