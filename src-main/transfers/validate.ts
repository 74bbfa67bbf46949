// What an image file holds, read with the project's own validators before any byte is uploaded
// (docs/formats.md: "Before an upload it validates the whole local file the same way, since XO's
// import would fail only after streaming it"). Constant memory: every reader streams the file.
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { AppFailure } from '../app-failure'
import { FormatError, SNIFF_BYTES, readOva, readVhd, readXva, sniffFormat } from '../formats'

export type ImageKind = 'xva' | 'ova' | 'vhd' | 'raw'

export interface InspectedDisk {
  name: string
  /** Bytes of virtual content. */
  virtualSize: number
}

interface Common {
  file: string
  /** Bytes on disk. */
  fileSize: number
}

export type ImageInfo =
  | (Common & {
      kind: 'xva' | 'ova'
      compression: string
      vm: { name: string; CPUs?: number; memory?: number }
      disks: InspectedDisk[]
      /** XVA: every chunk checksum verified; OVA: the manifest's digests, when present. */
      checksums: 'verified' | 'absent'
    })
  | (Common & {
      kind: 'vhd'
      diskType: 'fixed' | 'dynamic' | 'differencing'
      virtualSize: number
      creatorApp: string
      blockSize?: number
      allocatedBlocks?: number
    })
  | (Common & { kind: 'raw'; virtualSize: number })

/** Where a file is wrong: the byte offset in the file and the field found there. */
export interface ProblemPlace {
  offset: number
  field: string
}

export interface InspectOptions {
  /** Read the file as this kind instead of guessing from its first bytes and its name. */
  as?: ImageKind
}

const SECTOR = 512
const ACTION = 'Use an intact copy of the file: export it again or copy it again, then retry.'

function corrupt(file: string, what: string, place?: ProblemPlace): AppFailure {
  const where = place ? ` (byte offset ${place.offset}, field ${place.field})` : ''
  return new AppFailure('corrupt-file', `${basename(file)}: ${what}${where}.`, ACTION)
}

async function readAt(file: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(length)
    const { bytesRead } = await fh.read(buf, 0, length, offset)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** The VHD checksum: one's complement of the byte sum, the field itself counted as zero. */
function vhdSum(buf: Buffer, at: number): number {
  let sum = 0
  for (let i = 0; i < buf.length; i++) if (i < at || i >= at + 4) sum += buf[i]!
  return ~sum >>> 0
}

/**
 * The first field of a 512-byte footer at `base` that the VHD specification's rules refuse, in
 * the order vhd-lib's `checkFooter.js` checks them (docs/formats.md#vhd).
 */
function footerPlace(buf: Buffer, base: number): ProblemPlace | undefined {
  if (buf.length < SECTOR) return { offset: base + buf.length, field: 'footer (truncated)' }
  if (buf.toString('latin1', 0, 8) !== 'conectix') return { offset: base, field: 'footer cookie' }
  if (buf.readUInt32BE(64) !== vhdSum(buf, 64)) {
    return { offset: base + 64, field: 'footer checksum' }
  }
  if (buf.readUInt32BE(12) !== 0x00010000) {
    return { offset: base + 12, field: 'footer file format version' }
  }
  if (![2, 3, 4].includes(buf.readUInt32BE(60))) {
    return { offset: base + 60, field: 'footer disk type' }
  }
  const original = Number(buf.readBigUInt64BE(40))
  const current = Number(buf.readBigUInt64BE(48))
  if (current % SECTOR !== 0 || original > current) {
    return { offset: base + 48, field: 'footer current size' }
  }
  return undefined
}

function headerPlace(buf: Buffer, base: number): ProblemPlace | undefined {
  if (buf.length < 1024) return { offset: base + buf.length, field: 'dynamic header (truncated)' }
  if (buf.toString('latin1', 0, 8) !== 'cxsparse') {
    return { offset: base, field: 'dynamic header cookie' }
  }
  if (buf.readUInt32BE(36) !== vhdSum(buf, 36)) {
    return { offset: base + 36, field: 'dynamic header checksum' }
  }
  if (buf.readUInt32BE(24) !== 0x00010000) {
    return { offset: base + 24, field: 'dynamic header version' }
  }
  return undefined
}

/** Finds where a VHD that `readVhd` refused is wrong, reading only its footers, header and BAT. */
async function locateVhd(file: string, size: number, e: FormatError): Promise<ProblemPlace> {
  const endAt = Math.max(0, size - SECTOR)
  const first = await readAt(file, 0, SECTOR)
  const last = await readAt(file, endAt, SECTOR)
  const sparse = first.toString('latin1', 0, 8) === 'conectix'
  if (!sparse) {
    const p = footerPlace(last, endAt)
    if (p) return p
    // A dynamic disk's end footer with no copy at 0: the copy's cookie is what is damaged.
    if (last.readUInt32BE(60) !== 2) return { offset: 0, field: 'footer copy cookie' }
    return { offset: size, field: 'file length (footer current size)' }
  }
  const p0 = footerPlace(first, 0)
  if (p0) return p0
  const dataOffset = Number(first.readBigUInt64BE(16))
  if (first.readUInt32BE(60) !== 2) {
    const header = await readAt(file, dataOffset, 1024)
    const ph = headerPlace(header, dataOffset)
    if (ph) return ph
    const tableOffset = Number(header.readBigUInt64BE(16))
    const entry = /BAT entry (\d+)|blocks \d+ and (\d+)/.exec(e.message)
    const index = Number(entry?.[1] ?? entry?.[2] ?? NaN)
    if (Number.isInteger(index)) {
      return { offset: tableOffset + 4 * index, field: `BAT entry ${index}` }
    }
    if (e.reason === 'bad-field') return { offset: dataOffset + 16, field: 'dynamic header' }
  }
  const pEnd = footerPlace(last, endAt)
  if (pEnd) return pEnd
  const differs = first.findIndex((b, i) => b !== last[i])
  if (differs >= 0) return { offset: endAt + differs, field: 'footer (differs from its copy at 0)' }
  return { offset: size, field: 'end of file' }
}

/** Counts the bytes a reader has taken from the file, to say where a stream reader stopped. */
class Meter extends Transform {
  bytes = 0
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length
    done(null, chunk)
  }
}

async function readTar(file: string, kind: 'xva' | 'ova', signal: AbortSignal, size: number) {
  const meter = new Meter({ highWaterMark: 64 * 1024 })
  const source = createReadStream(file, { signal, highWaterMark: 1024 * 1024 })
  source.on('error', (e) => meter.destroy(e))
  source.pipe(meter)
  try {
    if (kind === 'xva') {
      const info = await readXva(meter, { digest: false })
      return {
        file,
        fileSize: size,
        kind,
        compression: info.compression,
        vm: { name: info.vm.name_label, CPUs: info.vm.CPUs, memory: info.vm.memory },
        disks: info.disks.map((d) => ({ name: d.name_label, virtualSize: d.virtualSize })),
        checksums: 'verified',
      } satisfies ImageInfo
    }
    const info = await readOva(meter, { digest: false })
    const d = info.descriptor
    return {
      file,
      fileSize: size,
      kind,
      compression: info.compression,
      vm: {
        name: d.name,
        ...(d.CPUs !== undefined ? { CPUs: d.CPUs } : {}),
        ...(d.memory !== undefined ? { memory: d.memory } : {}),
      },
      disks: info.disks.map((x) => ({ name: x.name, virtualSize: x.virtualSize })),
      checksums: info.manifest,
    } satisfies ImageInfo
  } catch (e) {
    if (e instanceof FormatError) {
      // A tar reader reads ahead by at most its buffers: the problem is at or before this byte.
      const entry = /chunk (\S+)|(Ref:[^\s:]+)|"([^"]+)"/.exec(e.message)
      const field = entry ? `tar entry ${entry[1] ?? entry[2] ?? entry[3]}` : `${kind} ${e.reason}`
      throw corrupt(file, e.message, { offset: meter.bytes, field })
    }
    throw e
  } finally {
    source.destroy()
  }
}

/**
 * Reads an XVA, OVA, VHD or raw image the way XO's import would check it and says what it holds;
 * an `AppFailure('corrupt-file')` naming what is wrong and where (byte offset, field) otherwise.
 */
export async function inspectImage(
  file: string,
  signal: AbortSignal,
  options: InspectOptions = {},
): Promise<ImageInfo> {
  signal.throwIfAborted()
  const size = (await stat(file)).size
  const head = await readAt(file, 0, Math.min(size, SNIFF_BYTES))
  const guessed = options.as ?? sniffFormat(head, basename(file))
  // A tar named .xva/.ova whose first entry is wrong is a damaged XVA/OVA: let its reader say so.
  const named = /\.(xva|ova)$/i.exec(file)?.[1]?.toLowerCase() as 'xva' | 'ova' | undefined
  const sniffed = guessed === 'unknown' && named ? named : guessed
  if (sniffed === 'unknown') {
    throw new AppFailure(
      'invalid-input',
      `${basename(file)} is not an XVA, an OVA or a VHD, and its name does not say raw (.raw, .img).`,
      'Name a raw disk image *.raw or *.img, or check that this is the file you meant.',
    )
  }
  if (sniffed === 'raw') {
    if (size === 0 || size % SECTOR !== 0) {
      throw corrupt(
        file,
        `a raw disk image must be a non-zero multiple of 512 bytes, it has ${size}`,
        {
          offset: size - (size % SECTOR),
          field: 'file length',
        },
      )
    }
    return { file, fileSize: size, kind: 'raw', virtualSize: size }
  }
  if (sniffed === 'xva' || sniffed === 'ova') return readTar(file, sniffed, signal, size)
  try {
    // readVhd reads a file at random offsets: footer, header, BAT, then every block it lists.
    const info = await readVhd(file)
    signal.throwIfAborted()
    return {
      file,
      fileSize: size,
      kind: 'vhd',
      diskType: info.diskType,
      virtualSize: info.virtualSize,
      creatorApp: info.creatorApp,
      ...(info.blockSize !== undefined ? { blockSize: info.blockSize } : {}),
      ...(info.allocatedBlocks !== undefined ? { allocatedBlocks: info.allocatedBlocks } : {}),
    }
  } catch (e) {
    if (e instanceof FormatError) throw corrupt(file, e.message, await locateVhd(file, size, e))
    throw e
  }
}
