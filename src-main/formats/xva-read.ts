import { createHash, type Hash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { hashZeros } from './disk-content'
import { FormatError, type FormatReason } from './format-error'
import { type Compression, type TarEntry, openTar, readEntry, skipEntry } from './tar-read'
import { type XvaVm, parseOvaXml } from './xva-metadata'
import { xxhash64Hex } from './xxhash64'

export interface XvaDiskSummary {
  ref: string
  uuid: string
  name_label: string
  virtualSize: number
  /** Chunk entries found (zero-length keep-alive entries included). */
  chunks: number
  /** sha256 of the VDI content (same as `diskDigest`); absent for a VDI that has no chunks at all. */
  digest?: string
}

export interface XvaInfo {
  compression: Compression
  vm: XvaVm
  disks: XvaDiskSummary[]
}

const MAX_OVA_XML = 64 * 1024 * 1024
// Bigger than any chunk XAPI or XO writes (1 MiB), small enough to hold while its checksum arrives.
const MAX_CHUNK = 16 * 1024 * 1024
const CHUNK_NAME = /^(Ref:[^/]+)\/(\d+)(\.[^/]*)?$/

const fail = (reason: FormatReason, msg: string): FormatError => new FormatError('xva', reason, msg)

interface DiskState {
  summary: XvaDiskSummary
  hash: Hash
  /** Bytes of virtual content accounted for so far (data and skipped zero chunks). */
  pos: number
  lastSuffix: string
  firstLength: number
}

/** Whether the checksum file matches, the way XAPI's import compares it (stream_vdi.ml). */
function verifyChecksum(name: string, ext: string, data: Buffer, recorded: string): void {
  let computed: string
  if (ext === '.xxhash') computed = xxhash64Hex(data)
  else if (ext === '.checksum') computed = createHash('sha1').update(data).digest('hex')
  else throw fail('unsupported-checksum', `${name}${ext}: unsupported checksum file`)
  if (recorded !== computed) {
    throw fail(
      'checksum-mismatch',
      `chunk ${name} is damaged: its ${ext.slice(1)} says ${recorded}, the data gives ${computed}`,
    )
  }
}

/**
 * Validates an XVA (plain, gzip or zstd) in one streaming pass, as XAPI's import would read it
 * (xapi-project/xen-api, ocaml/xapi/import.ml and stream_vdi.ml; docs/formats.md#xva): `ova.xml`
 * first, VDI chunks in order with a verified checksum after each, gaps counted as zeros, every VDI
 * complete, tar end-of-archive present. Throws `FormatError`.
 */
export interface ReadXvaOptions {
  /** Receives each chunk once its checksum is verified: the bytes at `offset` of VDI `ref`. */
  onChunk?(ref: string, offset: number, data: Buffer): Promise<void>
  /**
   * Compute each disk's content digest (default true). Hashing the zeros of a mostly empty 40 GiB
   * disk takes half a minute: a check that only needs the structure turns it off.
   */
  digest?: boolean
}

export async function readXva(source: Readable, options: ReadXvaOptions = {}): Promise<XvaInfo> {
  const tar = await openTar(source, 'xva')
  try {
    return await walk(tar.entries, tar.compression, () => tar.finish(), options)
  } catch (e) {
    throw tar.classify(e)
  }
}

async function walk(
  entries: AsyncIterable<TarEntry>,
  compression: Compression,
  finish: () => void,
  options: ReadXvaOptions,
): Promise<XvaInfo> {
  let meta: ReturnType<typeof parseOvaXml> | undefined
  let firstName: string | undefined
  const disks = new Map<string, DiskState>()
  let current: DiskState | undefined
  let pending:
    { name: string; data: Buffer; inside: Buffer; ref: string; offset: number } | undefined

  for await (const entry of entries) {
    if (firstName === undefined) firstName = entry.name
    if (entry.name === 'ova.xml') {
      if (firstName !== 'ova.xml') {
        throw fail(
          'ova-xml-not-first',
          `ova.xml must be the first entry, "${firstName}" comes first`,
        )
      }
      meta = parseOvaXml((await readEntry(entry, MAX_OVA_XML, 'xva')).toString('utf8'))
      for (const vdi of meta.vdis) {
        disks.set(vdi.ref, {
          summary: { ...vdi, chunks: 0 },
          hash: createHash('sha256'),
          pos: 0,
          lastSuffix: '-1',
          firstLength: -1,
        })
      }
      continue
    }
    if (!meta) {
      // Keep reading names only, to tell "missing" from "not first".
      await skipEntry(entry)
      continue
    }
    const m = CHUNK_NAME.exec(entry.name)
    if (!m || entry.type !== 'file') {
      throw fail('unexpected-entry', `unexpected entry "${entry.name}" in the archive`)
    }
    const [, ref = '', suffix = '', ext] = m
    const base = `${ref}/${suffix}`

    if (ext !== undefined) {
      // A checksum file: it must follow the data entry it describes.
      if (!pending || pending.name !== base) {
        throw fail('unexpected-entry', `${entry.name} does not follow chunk ${base}`)
      }
      const recorded = (await readEntry(entry, 1024, 'xva')).toString('latin1')
      verifyChecksum(base, ext, pending.data, recorded)
      await options.onChunk?.(pending.ref, pending.offset, pending.inside)
      pending = undefined
      continue
    }

    if (pending)
      throw fail('missing-checksum', `chunk ${pending.name} has no checksum entry after it`)
    const disk = disks.get(ref)
    if (!disk) throw fail('unexpected-entry', `chunk ${entry.name} belongs to no VDI in ova.xml`)
    if (disk !== current) {
      if (current && current.pos < current.summary.virtualSize) {
        throw fail('size-mismatch', incomplete(current))
      }
      if (current && ref < current.summary.ref) {
        throw fail(
          'chunk-order',
          `VDI ${ref} comes after ${current.summary.ref}: XAPI reads VDIs in ref order`,
        )
      }
      if (disk.summary.chunks > 0)
        throw fail('chunk-order', `the chunks of VDI ${ref} are not contiguous`)
      current = disk
    }
    // XAPI's rule: suffixes increase lexicographically; a gap of n chunks is n × the first chunk's
    // length of zeros (import in stream_vdi.ml `recv_all_vdi`).
    if (suffix <= disk.lastSuffix) {
      throw fail('chunk-order', `chunk ${entry.name} does not come after ${ref}/${disk.lastSuffix}`)
    }
    if (disk.pos >= disk.summary.virtualSize && disk.summary.chunks > 0) {
      throw fail('size-mismatch', `chunk ${entry.name} lies past the end of the VDI`)
    }
    const data = await readEntry(entry, MAX_CHUNK, 'xva')
    if (disk.firstLength < 0) disk.firstLength = data.length
    const gap = (Number(suffix) - Number(disk.lastSuffix) - 1) * disk.firstLength
    const room = disk.summary.virtualSize - disk.pos
    const inside = data.subarray(0, Math.max(0, Math.min(data.length, room - gap)))
    if (options.digest !== false) {
      hashZeros(disk.hash, Math.min(gap, room))
      disk.hash.update(inside)
    }
    pending = { name: base, data, inside, ref, offset: disk.pos + gap }
    disk.pos += gap + data.length
    disk.lastSuffix = suffix
    disk.summary.chunks++
  }

  if (firstName === undefined || !meta) {
    if (firstName === undefined) finish() // empty or not a tar: let the tar layer say which
    throw fail('missing-ova-xml', 'the archive has no ova.xml: not an XVA')
  }
  if (pending)
    throw fail('missing-checksum', `chunk ${pending.name} has no checksum entry after it`)
  for (const d of disks.values()) {
    if (d.summary.chunks > 0 && d.pos < d.summary.virtualSize)
      throw fail('truncated', incomplete(d))
  }
  finish()
  return {
    compression,
    vm: meta.vm,
    disks: [...disks.values()].map((d) =>
      d.summary.chunks > 0 && options.digest !== false
        ? { ...d.summary, digest: d.hash.digest('hex') }
        : d.summary,
    ),
  }
}

function incomplete(d: DiskState): string {
  return `VDI ${d.summary.ref} ends after ${d.pos} bytes, ova.xml says ${d.summary.virtualSize}`
}
