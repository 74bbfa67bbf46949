import type { IncomingMessage } from 'node:http'
import { xoError } from './xo-errors'

/**
 * Reads a JSON body as express.json() would; a syntax error is XO's unmapped 500
 * (docs/xo-rest-api.md#errors).
 */
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
  // Every route with a body runs express.json() first (@xen-orchestra/rest-api 0.39.0,
  // dist/*/*.controller.mjs), the body-parser 1.x of XO's Express 4: it sets `req.body = {}`, and
  // parses only `application/json` bodies that are not empty. So tsoa sees {} for a missing body.
  const mime = (type.split(';')[0] ?? '').trim().toLowerCase()
  if (text === '' || mime !== 'application/json') return {}
  // Its strict mode takes only an object or an array.
  const first = /^[ \t\n\r]*([^ \t\n\r])/.exec(text)?.[1]
  if (first !== '{' && first !== '[') throw xoError.plain(strictViolation(text, first))
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw xoError.plain(err instanceof Error ? err.message : 'invalid JSON')
  }
}

/** body-parser's message for a non-object top level: JSON.parse's, as if that value were invalid. */
function strictViolation(text: string, first: string | undefined): string {
  const at = first === undefined ? -1 : text.indexOf(first)
  const masked = at === -1 ? '' : text.slice(0, at) + '#'.repeat(text.length - at)
  try {
    JSON.parse(masked)
    return 'strict violation'
  } catch (err) {
    const message = err instanceof Error ? err.message : 'strict violation'
    return message.replace(/#+/g, (run) => text.slice(at, at + run.length))
  }
}
