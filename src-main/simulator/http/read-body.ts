import type { IncomingMessage } from 'node:http'
import { xoError } from './xo-errors'

/** Reads a JSON body as express.json() would; a syntax error is XO's unmapped 500 (GUIDE §7.2). */
export async function readJsonBody(
  req: IncomingMessage,
  limitBytes = 1024 * 1024,
): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limitBytes) throw xoError.api(413, 'request entity too large')
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  // express.json() only parses JSON content types; anything else leaves the body empty.
  if (text === '' || !/json/i.test(type)) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw xoError.plain(err instanceof Error ? err.message : 'invalid JSON')
  }
}
