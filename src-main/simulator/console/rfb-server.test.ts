// The RFB 3.8 server as a VNC viewer sees it, over an in-memory pipe: handshake, updates in the
// viewer's pixel format, incremental updates, and messages however the transport splits them.
import { describe, expect, it } from 'vitest'
import { ConsoleScreen } from './console-screen'
import type { PixelFormat } from './pixel-format'
import { RfbSession } from './rfb-server'
import {
  RGB565,
  ByteQueue,
  cropRgba,
  expectedPixels,
  firstDifference,
  nativeToRgba,
  RfbTestClient,
} from './rfb-test-client'

const FULL = { x: 0, y: 0, width: 800, height: 600 }

/** A session on a fresh screen; the client's bytes go through `deliver` (whole by default). */
function open(deliver?: (session: RfbSession, bytes: Uint8Array) => void) {
  const screen = new ConsoleScreen('web-01')
  const incoming = new ByteQueue()
  const sent: Uint8Array[] = []
  const ended: string[] = []
  const session = new RfbSession({ send: (bytes) => incoming.push(bytes) }, screen, {
    name: 'web-01',
    onClose: (reason) => {
      ended.push(reason)
      incoming.end()
    },
  })
  const client = new RfbTestClient((bytes) => {
    sent.push(bytes)
    if (deliver) deliver(session, bytes)
    else session.receive(bytes)
  }, incoming)
  return { screen, session, client, incoming, sent, ended }
}

describe('RFB handshake', () => {
  it('greets a 3.8 viewer with None security and a ServerInit giving size, format and name', async () => {
    const { client } = open()
    const init = await client.handshake('003.008')
    expect(init).toEqual({
      version: 'RFB 003.008\n',
      width: 800,
      height: 600,
      name: 'web-01',
      format: {
        bitsPerPixel: 32,
        depth: 24,
        bigEndian: false,
        trueColour: true,
        redMax: 255,
        greenMax: 255,
        blueMax: 255,
        redShift: 16,
        greenShift: 8,
        blueShift: 0,
      },
    })
  })

  it.each(['003.003', '003.007'])(
    'lets an older %s viewer in with its own security exchange',
    async (version) => {
      const { client, incoming } = open()
      const init = await client.handshake(version)
      expect(init.name).toBe('web-01')
      expect(incoming.unread).toBe(0)
    },
  )

  it('ends the session for a protocol version it does not speak', async () => {
    const { client, incoming, ended } = open()
    await incoming.read(12)
    client.raw(new TextEncoder().encode('RFB 004.001\n'))
    expect(ended).toEqual([expect.stringMatching(/unsupported protocol version/)])
    expect(incoming.unread).toBe(0)
  })
})

describe('RFB framebuffer updates', () => {
  it('sends a requested rectangle at once, in the native format, equal to the screen', async () => {
    const { client, screen } = open()
    await client.handshake()
    client.requestUpdate(false, FULL)
    const [whole] = await client.readUpdate()
    expect(whole).toMatchObject(FULL)
    expect(
      firstDifference(nativeToRgba(whole?.data ?? new Uint8Array()), screen.frame().rgba),
    ).toBeUndefined()
    const part = { x: 10, y: 5, width: 100, height: 30 }
    client.requestUpdate(false, part)
    const [rect] = await client.readUpdate()
    expect(rect).toMatchObject(part)
    expect(
      firstDifference(nativeToRgba(rect?.data ?? new Uint8Array()), cropRgba(screen.frame(), part)),
    ).toBeUndefined()
  })

  it('holds an incremental request until the screen changes, then sends only what changed', async () => {
    const { client, screen, incoming } = open()
    await client.handshake()
    client.requestUpdate(false, FULL)
    await client.readUpdate()
    client.requestUpdate(true, FULL)
    expect(incoming.unread).toBe(0) // nothing changed: no answer yet
    client.type('x')
    const [changed] = await client.readUpdate()
    if (!changed) throw new Error('no rectangle')
    expect(changed.width * changed.height).toBeLessThan((FULL.width * FULL.height) / 10)
    expect(
      firstDifference(nativeToRgba(changed.data), cropRgba(screen.frame(), changed)),
    ).toBeUndefined()
    client.requestUpdate(true, FULL)
    expect(incoming.unread).toBe(0) // that change was sent: nothing left
  })

  const formats: [string, PixelFormat][] = [
    ['16-bit big-endian RGB565', RGB565],
    [
      '8-bit BGR233',
      {
        bitsPerPixel: 8,
        depth: 8,
        bigEndian: false,
        trueColour: true,
        redMax: 7,
        greenMax: 7,
        blueMax: 3,
        redShift: 0,
        greenShift: 3,
        blueShift: 6,
      },
    ],
    [
      '32-bit big-endian BGR',
      {
        bitsPerPixel: 32,
        depth: 24,
        bigEndian: true,
        trueColour: true,
        redMax: 255,
        greenMax: 255,
        blueMax: 255,
        redShift: 0,
        greenShift: 8,
        blueShift: 16,
      },
    ],
  ]
  it.each(formats)('converts pixels for a %s viewer', async (_, format) => {
    const { client, screen } = open()
    await client.handshake()
    client.type('Hello')
    client.setPixelFormat(format)
    client.requestUpdate(false, FULL)
    const [rect] = await client.readUpdate()
    expect(
      firstDifference(rect?.data ?? new Uint8Array(), expectedPixels(screen.frame().rgba, format)),
    ).toBeUndefined()
  })
})

describe('RFB client messages', () => {
  /** A viewer's whole conversation; returns what it sent and what the server answered. */
  async function conversation() {
    const { client, incoming, sent, screen } = open()
    await client.handshake()
    client.setEncodings([0, -223, -239])
    client.setPixelFormat(RGB565)
    client.type('root')
    client.click(400, 300)
    client.cutText('café')
    client.requestUpdate(false, FULL)
    await client.readUpdate()
    return { sent, received: incoming.received, events: screen.events }
  }

  it('parses messages the same whether split into single bytes or all in one piece', async () => {
    const reference = await conversation()
    const all = Buffer.concat(reference.sent)
    for (const deliver of [
      (session: RfbSession) => {
        for (const byte of all) session.receive(Uint8Array.of(byte))
      },
      (session: RfbSession) => session.receive(all),
    ]) {
      const { incoming, screen, session } = open()
      deliver(session)
      expect(incoming.received).toBe(reference.received)
      expect(screen.events).toEqual(reference.events)
    }
    expect(reference.events).toMatchObject({ typed: 'root', clicks: 1, cutText: ['café'] })
  })

  it('ends the session on an unknown message type, answering nothing after it', async () => {
    const { client, incoming, ended } = open()
    await client.handshake()
    client.raw(Uint8Array.of(200))
    client.requestUpdate(false, FULL)
    expect(ended).toEqual([expect.stringMatching(/unknown client message type 200/)])
    expect(incoming.unread).toBe(0)
  })
})
