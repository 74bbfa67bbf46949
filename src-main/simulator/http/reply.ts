import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { Reply } from './context'
import type { XoHttpError } from './xo-errors'

const JSON_TYPE = 'application/json; charset=utf-8'

export function writeJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = value === undefined ? '' : JSON.stringify(value)
  res.writeHead(status, {
    ...(value === undefined
      ? {}
      : { 'Content-Type': JSON_TYPE, 'Content-Length': String(Buffer.byteLength(body)) }),
    ...headers,
  })
  res.end(body)
}

export function writeXoError(res: ServerResponse, err: XoHttpError): void {
  if (res.headersSent) {
    // Once a stream started, XO can only log the error and cut the connection
    // (@xen-orchestra/rest-api 0.39.0, dist/middlewares/generic-error-handler.middleware.mjs).
    res.destroy()
    return
  }
  writeJson(res, err.status, err.body, err.headers)
}

/**
 * Express's answer for a path no route serves: an HTML page, not an XO error
 * (docs/xo-rest-api.md#errors).
 */
export function writeExpressNotFound(res: ServerResponse, method: string, path: string): void {
  const escaped = path.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)
  const html = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${method} ${escaped}</pre>\n</body>\n</html>\n`
  res.writeHead(404, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
  })
  res.end(html)
}

/** Writes lines in batches, waiting for the socket when it is full: constant memory for any size. */
async function writeNdjson(res: ServerResponse, lines: Iterable<unknown>): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
  let batch = ''
  for (const line of lines) {
    batch += JSON.stringify(line) + '\n'
    if (batch.length >= 64 * 1024) {
      const flushed = res.write(batch)
      batch = ''
      if (!flushed) await new Promise<void>((resolve) => res.once('drain', resolve))
      if (res.destroyed) return
    }
  }
  res.end(batch)
}

export async function writeReply(res: ServerResponse, reply: Reply): Promise<void> {
  if ('handled' in reply) return
  if ('collection' in reply) {
    const body = reply.collection
    if (body.kind === 'ndjson') return writeNdjson(res, body.lines)
    if (body.kind === 'markdown') {
      res.writeHead(reply.status, {
        'Content-Type': 'text/markdown; charset=utf-8',
        ...reply.headers,
      })
      res.end(body.text)
      return
    }
    return writeJson(res, reply.status, body.value, reply.headers)
  }
  if ('stream' in reply) {
    res.writeHead(reply.status, reply.headers)
    await pipeline(reply.stream, res).catch(() => res.destroy())
    return
  }
  writeJson(res, reply.status, reply.json, reply.headers)
}
