// A corrupt file offered for import: whatever its bytes, the readers answer with the disk's
// description or a FormatError (which the UI explains), never another exception and never a hang.
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deterministicDisk } from './disk-content'
import { FormatError } from './format-error'
import { readOva, ovaStream } from './ova'
import { sniffFormat } from './sniff'
import { readVhd, vhdStream } from './vhd'
import { readXva, xvaStream } from './xva'

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Runs a reader on bytes and says how it ended: 'ok', a FormatError reason, or the unexpected error. */
async function outcome(
  read: (s: Readable) => Promise<unknown>,
  bytes: Uint8Array,
): Promise<string> {
  try {
    await read(Readable.from([Buffer.from(bytes)]))
    return 'ok'
  } catch (err) {
    if (err instanceof FormatError) return `format-error:${err.reason}`
    throw err
  }
}

const disk = deterministicDisk({ seed: 'fuzz', id: 'disk', size: 4 * 1024 * 1024 })
const vm = {
  name_label: 'fuzz',
  uuid: '0d7c5e53-5b1c-4d0e-9d1f-2a3b4c5d6e7f',
  memory: 1024 ** 3,
  CPUs: 1,
}
const input = {
  vm,
  disks: [{ vdiUuid: '5b8f0c1e-1d2a-4c3b-8e9f-0a1b2c3d4e5f', name_label: 'disk', disk }],
}

/** A valid file with a few bytes overwritten at random places, or cut at a random length. */
function damaged(valid: Buffer): fc.Arbitrary<Uint8Array> {
  const overwrite = fc
    .array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((edits) => {
      const copy = Buffer.from(valid)
      for (const [at, value] of edits) copy[at] = value
      return new Uint8Array(copy)
    })
  const cut = fc
    .nat({ max: valid.length - 1 })
    .map((length) => new Uint8Array(valid.subarray(0, length)))
  return fc.oneof(overwrite, cut)
}

const RUNS = { numRuns: 60, interruptAfterTimeLimit: 8_000 }

describe('corrupt input', () => {
  it('a damaged or truncated VHD is read or refused with a FormatError', async () => {
    const valid = await bytesOf(vhdStream(disk).stream)
    await fc.assert(
      fc.asyncProperty(damaged(valid), async (bytes) => {
        expect(await outcome((s) => readVhd(s), bytes)).toMatch(/^(ok|format-error:)/)
      }),
      RUNS,
    )
  })

  it('a damaged or truncated XVA is read or refused with a FormatError', async () => {
    const valid = await bytesOf(xvaStream(input))
    await fc.assert(
      fc.asyncProperty(damaged(valid), async (bytes) => {
        expect(await outcome((s) => readXva(s), bytes)).toMatch(/^(ok|format-error:)/)
      }),
      RUNS,
    )
  })

  it('a damaged or truncated OVA is read or refused with a FormatError', async () => {
    const valid = await bytesOf(ovaStream(input))
    await fc.assert(
      fc.asyncProperty(damaged(valid), async (bytes) => {
        expect(await outcome((s) => readOva(s), bytes)).toMatch(/^(ok|format-error:)/)
      }),
      RUNS,
    )
  })

  it('any bytes at all are sniffed as a known format or "unknown", without throwing', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.string({ maxLength: 20 }),
        (bytes, name) => {
          expect(['vhd', 'xva', 'ova', 'raw', 'unknown']).toContain(
            sniffFormat(Buffer.from(bytes), name),
          )
        },
      ),
      { numRuns: 500 },
    )
  })

  it('random bytes offered as a VHD, an XVA or an OVA are refused with a FormatError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 3000 }), async (bytes) => {
        for (const read of [readVhd, readXva, readOva] as ((s: Readable) => Promise<unknown>)[]) {
          expect(await outcome(read, bytes)).toMatch(/^format-error:/)
        }
      }),
      RUNS,
    )
  })
})
