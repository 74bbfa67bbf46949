import { createHash } from 'node:crypto'
import { type Readable, pipeline } from 'node:stream'
import { createGzip, createZstdCompress } from 'node:zlib'
import { DISK_BLOCK_SIZE, type DiskContent, isAllZero } from './disk-content'
import { type TarPack, addEntry, packStream } from './tar-write'
import { type XvaVdiInfo, type XvaVm, buildOvaXml } from './xva-metadata'
import { xxhash64Hex } from './xxhash64'

export { readXva, type XvaInfo, type XvaDiskSummary } from './xva-read'
export type { XvaVm } from './xva-metadata'

/** XAPI's `chunk_size` (stream_vdi.ml): every VDI is cut in 1 MiB tar entries. */
export const XVA_CHUNK_SIZE = 1024 * 1024

export interface XvaDiskInput {
  vdiUuid: string
  name_label: string
  name_description?: string
  disk: DiskContent
}

export interface XvaInput {
  vm: XvaVm
  disks: XvaDiskInput[]
}

export interface XvaStreamOptions {
  /** Whole-archive compression, as XO's `GET /vms/{id}.{format}?compress=gzip|zstd`. */
  compress?: 'gzip' | 'zstd'
  /** `.xxhash` (XXH64, what current XAPI and XO write) or the legacy `.checksum` (SHA-1). */
  checksum?: 'xxhash' | 'sha1'
  /** Tar header times and ova.xml date; now by default. */
  date?: Date
}

// Disk blocks hold a whole number of chunks, so chunk c of a disk is a slice of block c / 2.
const CHUNKS_PER_BLOCK = DISK_BLOCK_SIZE / XVA_CHUNK_SIZE

export function chunkName(ref: string, index: number): string {
  return `${ref}/${String(index).padStart(8, '0')}` // XAPI's "%s/%08d"
}

export function chunkChecksum(kind: 'xxhash' | 'sha1', data: Uint8Array): string {
  // XAPI compares these strings byte for byte: upper-case "%016LX" and lower-case SHA-1 hex.
  return kind === 'xxhash' ? xxhash64Hex(data) : createHash('sha1').update(data).digest('hex')
}

async function writeDisk(
  pack: TarPack,
  ref: string,
  disk: DiskContent,
  checksum: 'xxhash' | 'sha1',
  mtime: Date,
): Promise<void> {
  const chunkCount = Math.ceil(disk.size / XVA_CHUNK_SIZE)
  const extension = checksum === 'xxhash' ? '.xxhash' : '.checksum'
  for (let b = 0; b < disk.blockCount; b++) {
    const block = await disk.readBlock(b)
    for (let j = 0; j < CHUNKS_PER_BLOCK; j++) {
      const c = b * CHUNKS_PER_BLOCK + j
      if (c >= chunkCount) break
      const len = Math.min(XVA_CHUNK_SIZE, disk.size - c * XVA_CHUNK_SIZE)
      const data = block?.subarray(j * XVA_CHUNK_SIZE, j * XVA_CHUNK_SIZE + len)
      // Like XAPI's send_one: all-zero chunks are skipped, except the first and the last, which are
      // always written ("a limitation of the XVA format": the importer stops a VDI when the offset
      // reaches virtual_size, so the last chunk must be there). The last one keeps its true length,
      // as XAPI writes it (XO pads it to 1 MiB; importers accept both).
      const keep = c === 0 || c === chunkCount - 1 || (data !== undefined && !isAllZero(data))
      if (!keep) continue
      const bytes = data ?? Buffer.alloc(len)
      const name = chunkName(ref, c)
      await addEntry(pack, name, bytes, mtime)
      await addEntry(pack, name + extension, Buffer.from(chunkChecksum(checksum, bytes)), mtime)
    }
  }
}

/**
 * A real XVA: `ova.xml` first (XAPI asserts it), then each VDI as `Ref:N/%08d` chunks, each followed
 * by its checksum entry, then the tar end-of-archive; optionally gzip or zstd as a whole.
 */
export function xvaStream(input: XvaInput, options: XvaStreamOptions = {}): Readable {
  const mtime = options.date ?? new Date()
  const checksum = options.checksum ?? 'xxhash'
  // Padded refs sort lexicographically in disk order: XAPI streams (and expects) VDIs in that order.
  const vdis: (XvaVdiInfo & { disk: DiskContent })[] = input.disks.map((d, i) => ({
    ref: `Ref:1${String(i).padStart(3, '0')}`,
    uuid: d.vdiUuid,
    name_label: d.name_label,
    ...(d.name_description === undefined ? {} : { name_description: d.name_description }),
    virtualSize: d.disk.size,
    disk: d.disk,
  }))
  const tar = packStream(async (pack) => {
    await addEntry(pack, 'ova.xml', Buffer.from(buildOvaXml(input.vm, vdis, mtime)), mtime)
    for (const vdi of [...vdis].sort((a, b) => (a.ref < b.ref ? -1 : 1))) {
      await writeDisk(pack, vdi.ref, vdi.disk, checksum, mtime)
    }
  })
  if (!options.compress) return tar
  const z = options.compress === 'gzip' ? createGzip() : createZstdCompress()
  pipeline(tar, z, () => {}) // an error on either side destroys `z`, which the consumer sees
  return z
}
