import { MalformedResponseError } from './failures'

const NEWLINE = 0x0a

/** A line longer than this is not XO's NDJSON (one object per line); stop before memory grows. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024

function parseLine(bytes: Buffer): unknown {
  const text = bytes.toString('utf8').trim()
  if (text === '') return SKIP
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new MalformedResponseError('ndjson-line', text.slice(0, 80))
  }
}

const SKIP = Symbol('blank line')

/**
 * Parses NDJSON (docs/xo-rest-api.md#ndjson) incrementally: splits the byte stream on `\n` and
 * yields one parsed value per line, holding at most one partial line. Memory stays constant however
 * long the stream is, and backpressure is kept: nothing is read until the consumer asks for the
 * next value.
 * Splitting bytes (not text) keeps multi-byte UTF-8 characters cut across chunks intact.
 */
export async function* ndjsonValues(
  source: AsyncIterable<Uint8Array | string>,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<unknown, void, undefined> {
  let partial: Buffer[] = []
  let partialBytes = 0
  for await (const raw of source) {
    const chunk =
      typeof raw === 'string'
        ? Buffer.from(raw)
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    let start = 0
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const tail = chunk.subarray(start, nl)
      const line = partialBytes === 0 ? tail : Buffer.concat([...partial, tail])
      partial = []
      partialBytes = 0
      start = nl + 1
      const value = parseLine(line)
      if (value !== SKIP) yield value
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      partial.push(rest)
      partialBytes += rest.length
      if (partialBytes > maxLineBytes)
        throw new MalformedResponseError('line-too-long', `over ${maxLineBytes} bytes`)
    }
  }
  if (partialBytes > 0) {
    const value = parseLine(Buffer.concat(partial))
    if (value !== SKIP) yield value
  }
}
