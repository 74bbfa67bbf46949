import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import {
  DISK_BLOCK_SIZE,
  deterministicDisk,
  diskFromFile,
  isAllZero,
  type DiskContent,
} from '../formats/disk-content'
import type { XoRecord } from './lab/types'

/**
 * What each VDI of the lab contains. Lab disks are deterministic from the seed and the VDI id, with
 * data only in their first `dataBytes` (the rest reads as zeros), so a 50 GiB disk exports as a
 * small sparse VHD while keeping its real virtual size. Imported disks are kept, sparse, in a
 * temporary folder until the simulator stops.
 */
export class DiskContents {
  readonly #imported = new Map<string, { disk: DiskContent; digest: string }>()
  #dir: string | undefined

  constructor(
    private readonly seed: string,
    private readonly dataBytes: number,
  ) {}

  /** The content of a VDI (or VDI snapshot): imported bytes, or the lab's deterministic ones. */
  contentOf(vdi: XoRecord): DiskContent {
    const imported = this.#imported.get(vdi.id)
    if (imported) return imported.disk
    const size = Math.ceil(Number(vdi['size'] ?? 0) / 512) * 512
    const full = deterministicDisk({ seed: this.seed, id: vdi.id, size })
    const dataBlocks = Math.ceil(this.dataBytes / DISK_BLOCK_SIZE)
    return {
      size: full.size,
      blockCount: full.blockCount,
      isAllocated: (i) => i < dataBlocks && full.isAllocated(i),
      readBlock: (i) => (i < dataBlocks ? full.readBlock(i) : Promise.resolve(null)),
    }
  }

  /** sha256 of the content imported into a VDI, if it was imported. */
  importedDigest(vdiId: string): string | undefined {
    return this.#imported.get(vdiId)?.digest
  }

  /**
   * Stores raw bytes for a VDI about to exist: zero blocks are left as holes. Returns the size and
   * digest; `commit(vdiId)` then attaches the content. Nothing is attached if the stream fails.
   */
  async receiveRaw(
    raw: Readable,
  ): Promise<{ size: number; digest: string; commit(vdiId: string): void }> {
    this.#dir ??= mkdtempSync(join(tmpdir(), 'xo-desk-sim-'))
    const path = join(this.#dir, `${Date.now()}-${Math.random().toString(36).slice(2)}.raw`)
    const hash = createHash('sha256')
    const fh = await open(path, 'w')
    let size = 0
    let pending: Buffer[] = []
    let pendingBytes = 0
    const flush = async (final: boolean): Promise<void> => {
      while (pendingBytes >= DISK_BLOCK_SIZE || (final && pendingBytes > 0)) {
        const all = Buffer.concat(pending)
        const block = all.subarray(0, Math.min(DISK_BLOCK_SIZE, all.length))
        if (!isAllZero(block)) await fh.write(block, 0, block.length, size - pendingBytes)
        const rest = all.subarray(block.length)
        pending = rest.length > 0 ? [rest] : []
        pendingBytes = rest.length
      }
    }
    try {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        hash.update(chunk)
        size += chunk.length
        pending.push(chunk)
        pendingBytes += chunk.length
        if (pendingBytes >= DISK_BLOCK_SIZE) await flush(false)
      }
      await flush(true)
      await fh.truncate(size)
    } catch (err) {
      await fh.close()
      rmSync(path, { force: true })
      throw err
    }
    await fh.close()
    const digest = hash.digest('hex')
    const disk = await diskFromFile(path)
    return { size, digest, commit: (vdiId) => void this.#imported.set(vdiId, { disk, digest }) }
  }

  /** Records the digest of content known only by its checksum (an XVA import). */
  recordDigest(vdiId: string, digest: string, disk: DiskContent): void {
    this.#imported.set(vdiId, { disk, digest })
  }

  dispose(): void {
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true })
  }
}
