// Whatever a server on the other end sends back (garbage, half an HTTP answer, odd framing), the
// client ends with a result or an explained failure: never another exception, never a hang.
import { createServer, type Server, type Socket } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { XoClient } from './client'

let server: Server
let reply: Buffer = Buffer.alloc(0)
const sockets = new Set<Socket>()

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.once('data', () => socket.end(reply))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise((resolve) => server.close(resolve))
})

/** Answers that look like HTTP to varying degrees, or not at all. */
const answers = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
  fc
    .record({
      status: fc.constantFrom(
        200,
        202,
        204,
        301,
        307,
        400,
        401,
        403,
        404,
        409,
        422,
        429,
        500,
        502,
        503,
      ),
      type: fc.constantFrom(
        'application/json',
        'application/x-ndjson',
        'text/html',
        'text/plain',
        '',
      ),
      body: fc.oneof(
        fc.json(),
        fc.string(),
        fc.constant('{"id":"x"}\n{"id":'),
        fc.constant('[{"href":"/rest/v0/vms/1"}]'),
      ),
      framing: fc.constantFrom('length', 'close', 'chunked', 'wrong-length'),
    })
    .map(({ status, type, body, framing }) => {
      const bytes = Buffer.from(body)
      const head = [`HTTP/1.1 ${status} X`, ...(type ? [`Content-Type: ${type}`] : [])]
      if (framing === 'length') head.push(`Content-Length: ${bytes.length}`)
      if (framing === 'wrong-length') head.push(`Content-Length: ${bytes.length + 7}`)
      if (framing === 'chunked') {
        head.push('Transfer-Encoding: chunked')
        return Buffer.concat([
          Buffer.from(`${head.join('\r\n')}\r\n\r\n${bytes.length.toString(16)}\r\n`),
          bytes,
          Buffer.from('\r\n0\r\n\r\n'),
        ])
      }
      head.push('Connection: close')
      return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), bytes])
    }),
)

describe('a server that answers anything', () => {
  it('gets a list or an explained failure from the client, every time', async () => {
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    await fc.assert(
      fc.asyncProperty(answers, async (answer) => {
        reply = answer
        const client = new XoClient({
          baseUrl: `http://127.0.0.1:${address.port}`,
          token: () => 'token',
          retry: { attempts: 1 },
          timeouts: { read: { headersMs: 2_000, idleMs: 2_000, totalMs: 4_000 } },
        })
        try {
          const items = await client.list(
            'vms',
            { fields: ['name_label'] },
            AbortSignal.timeout(10_000),
          )
          expect(Array.isArray(items)).toBe(true)
        } catch (err) {
          expect(err).toBeInstanceOf(AppFailure)
          const { message, action } = (err as AppFailure).appError
          expect(message).not.toBe('')
          expect(action).not.toBe('')
          expect(message).not.toContain('token')
        } finally {
          await client.destroy()
        }
      }),
      { numRuns: 80, interruptAfterTimeLimit: 15_000 },
    )
  }, 30_000)
})
