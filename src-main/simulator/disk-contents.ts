import { mkdtempSync, rmSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import {
  DISK_BLOCK_SIZE,
  deterministicDisk,
  diskDigest,
  diskFromSparseFile,
  isAllZero,
  type DiskContent,
} from '../formats/disk-content'
import { readVhdData } from '../formats/vhd-read'
import type { XoRecord } from './lab/types'

/** Content received for a VDI that does not exist yet: attach it with `commit`, or `discard` it. */
export interface ReceivedDisk {
  size: number
  commit(vdiId: string): void
  discard(): void
}

/**
 * A temporary sparse file: only non-zero data is written, the rest stays a hole. It notes the blocks
 * it wrote, so reading it back never scans the holes: an import costs what its data costs.
 */
interface SparseFile {
  write(offset: number, data: Buffer): Promise<void>
  /** Sets the size and reads the content back as a disk; removes the file on failure. */
  finish(size: number): Promise<{ disk: DiskContent; discard(): void }>
  discard(): Promise<void>
}

/**
 * What each VDI of the lab contains. Lab disks are deterministic from the seed and the VDI id, with
 * data only in their first `dataBytes` (the rest reads as zeros), so a 50 GiB disk exports as a
 * small sparse VHD while keeping its real virtual size. Imported disks are kept, sparse, in a
 * temporary folder until the simulator stops, so exporting them again gives the same bytes.
 */
export class DiskContents {
  readonly #imported = new Map<string, { disk: DiskContent; discard(): void }>()
  /** Generated content for particular VDIs (the bench disks), instead of the lab's. */
  readonly #provided = new Map<string, DiskContent>()
  #dir: string | undefined
  #files = 0

  constructor(
    private readonly seed: string,
    private readonly dataBytes: number,
  ) {}

  /** The content of a VDI (or VDI snapshot): imported bytes, or the lab's deterministic ones. */
  contentOf(vdi: XoRecord): DiskContent {
    const imported = this.#imported.get(vdi.id)
    if (imported) return imported.disk
    const provided = this.#provided.get(vdi.id)
    if (provided) return provided
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

  /** Gives a VDI this content until something is imported into it. */
  provide(vdiId: string, disk: DiskContent): void {
    this.#provided.set(vdiId, disk)
  }

  /**
   * sha256 of the whole virtual content imported into a VDI (zeros included, as `diskDigest`), read
   * back from where it is kept; undefined if nothing was imported. For tests: it costs the virtual size.
   */
  async importedDigest(vdiId: string): Promise<string | undefined> {
    const imported = this.#imported.get(vdiId)
    return imported ? diskDigest(imported.disk) : undefined
  }

  async #sparseFile(): Promise<SparseFile> {
    this.#dir ??= mkdtempSync(join(tmpdir(), 'xo-desk-sim-'))
    const path = join(this.#dir, `${++this.#files}.raw`)
    const fh: FileHandle = await open(path, 'w')
    let closed = false
    const close = async (): Promise<void> => {
      if (!closed) await fh.close()
      closed = true
    }
    const remove = (): void => rmSync(path, { force: true })
    const allocated = new Set<number>()
    return {
      write: async (offset, data) => {
        if (data.length === 0 || isAllZero(data)) return
        await fh.write(data, 0, data.length, offset)
        const last = Math.floor((offset + data.length - 1) / DISK_BLOCK_SIZE)
        for (let i = Math.floor(offset / DISK_BLOCK_SIZE); i <= last; i++) allocated.add(i)
      },
      finish: async (size) => {
        try {
          await fh.truncate(size)
          await close()
          return { disk: diskFromSparseFile(path, size, allocated), discard: remove }
        } catch (err) {
          await close()
          remove()
          throw err
        }
      },
      discard: async () => {
        await close()
        remove()
      },
    }
  }

  #received(disk: DiskContent, discard: () => void): ReceivedDisk {
    return {
      size: disk.size,
      commit: (vdiId) => {
        // The content it replaces is gone: its file too, so repeated imports do not pile up.
        this.#imported.get(vdiId)?.discard()
        this.#imported.set(vdiId, { disk, discard })
      },
      discard,
    }
  }

  /** Stores raw bytes for a VDI about to exist; nothing is kept if the stream fails. */
  async receiveRaw(raw: Readable): Promise<ReceivedDisk> {
    const file = await this.#sparseFile()
    let size = 0
    // Gathered block by block in one reused buffer (all-zero blocks stay holes): no allocation
    // per block, so a 4 GiB import runs at memory speed instead of feeding the garbage collector.
    const block = Buffer.allocUnsafe(DISK_BLOCK_SIZE)
    let filled = 0
    try {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length;) {
          const n = chunk.copy(block, filled, at)
          filled += n
          at += n
          size += n
          if (filled === DISK_BLOCK_SIZE) {
            await file.write(size - filled, block)
            filled = 0
          }
        }
      }
      if (filled > 0) await file.write(size - filled, block.subarray(0, filled))
    } catch (err) {
      await file.discard()
      throw err
    }
    const { disk, discard } = await file.finish(size)
    return this.#received(disk, discard)
  }

  /**
   * Stores a VHD upload (checked as XO's import would) for a VDI about to exist. Only the blocks the
   * VHD stores are read and written: a sparse VHD of a 500 GiB disk costs its few MB, not 500 GiB of
   * zeros. Nothing is kept if the VHD is refused.
   */
  async receiveVhd(vhd: Readable): Promise<ReceivedDisk> {
    const file = await this.#sparseFile()
    let virtualSize: number
    try {
      virtualSize = (await readVhdData(vhd, (offset, data) => file.write(offset, data))).virtualSize
    } catch (err) {
      await file.discard()
      throw err
    }
    const { disk, discard } = await file.finish(virtualSize)
    return this.#received(disk, discard)
  }

  /**
   * Stores the disks of an XVA as it is read: `chunk` takes each verified chunk, `finish` gives one
   * received disk per VDI ref once the whole archive checked out, `discard` drops everything.
   */
  async receiveChunks(): Promise<{
    chunk(ref: string, offset: number, data: Buffer): Promise<void>
    finish(sizes: { ref: string; virtualSize: number }[]): Promise<Map<string, ReceivedDisk>>
    discard(): Promise<void>
  }> {
    const files = new Map<string, SparseFile>()
    const fileOf = async (ref: string): Promise<SparseFile> => {
      let file = files.get(ref)
      if (!file) files.set(ref, (file = await this.#sparseFile()))
      return file
    }
    return {
      chunk: async (ref, offset, data) => (await fileOf(ref)).write(offset, data),
      finish: async (sizes) => {
        const received = new Map<string, ReceivedDisk>()
        for (const { ref, virtualSize } of sizes) {
          const { disk, discard } = await (await fileOf(ref)).finish(virtualSize)
          received.set(ref, this.#received(disk, discard))
        }
        return received
      },
      discard: async () => {
        for (const file of files.values()) await file.discard()
      },
    }
  }

  dispose(): void {
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true })
  }
}
