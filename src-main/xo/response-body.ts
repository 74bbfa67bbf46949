import type { IncomingHttpHeaders } from 'node:http'
import { MalformedResponseError, ResponseTooLargeError } from './failures'

/** JSON answers above this are never parsed whole; collections come as NDJSON instead. */
export const MAX_JSON_BYTES = 10 * 1024 * 1024

/** Error bodies are only read this far: enough for XO's `{error, data}`, not for a proxy's page. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024

/** What the helpers need of undici's body stream. */
export interface Body extends AsyncIterable<Uint8Array | string> {
  readonly destroyed: boolean
  destroy(err?: Error): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
}

/**
 * Drops a body not read to its end, which closes its socket. undici then emits `error` (aborted)
 * on it: without a listener that would be an uncaught exception in main.
 */
export function discard(body: Body): void {
  if (body.destroyed) return
  body.on('error', () => undefined)
  body.destroy()
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name]
  return (Array.isArray(value) ? value[0] : value) ?? ''
}

export function isJsonType(contentType: string): boolean {
  return /^application\/(?:[\w.+-]*\+)?json\b/i.test(contentType)
}

export function isNdjsonType(contentType: string): boolean {
  return /^application\/(?:x-ndjson|jsonl|x-jsonlines)\b/i.test(contentType)
}

/**
 * Refuses an answer of the wrong media type: an HTML page is a proxy or not XO
 * (docs/xo-rest-api.md#errors).
 */
export function expectMediaType(headers: IncomingHttpHeaders, kind: 'json' | 'ndjson'): void {
  const type = header(headers, 'content-type')
  const fits = kind === 'json' ? isJsonType(type) : isNdjsonType(type)
  if (!fits) throw new MalformedResponseError('content-type', type || 'no content type')
}

/** Reads the body as bytes up to `limit`; beyond it destroys the body and throws. */
export async function readBytes(body: Body, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)
    size += buf.length
    if (size > limit) {
      discard(body)
      throw new ResponseTooLargeError(limit)
    }
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

/** The first `limit` bytes of a body as text, dropping the rest (for error pages). */
export async function readTextPrefix(body: Body, limit = MAX_ERROR_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)
    chunks.push(buf)
    size += buf.length
    if (size >= limit) {
      discard(body)
      break
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
}

/** A JSON answer, refused when not JSON or over `MAX_JSON_BYTES` (checked before reading when announced). */
export async function readJson(
  headers: IncomingHttpHeaders,
  body: Body,
  limit = MAX_JSON_BYTES,
): Promise<unknown> {
  expectMediaType(headers, 'json')
  const announced = Number(header(headers, 'content-length'))
  if (announced > limit) {
    discard(body)
    throw new ResponseTooLargeError(limit)
  }
  const bytes = await readBytes(body, limit)
  try {
    return bytes.length === 0 ? undefined : (JSON.parse(bytes.toString('utf8')) as unknown)
  } catch {
    throw new MalformedResponseError('json', bytes.subarray(0, 80).toString('utf8'))
  }
}
