// Helpers for the format tests: temp dirs, real tools (qemu-img, GNU tar), file digests.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { DiskContent } from '../formats/disk-content'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export async function makeTempDir(
  prefix: string,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `xo-desk-${prefix}-`))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Runs a tool and returns its stdout; rejects with its stderr on a non-zero exit. */
export async function run(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await exec(cmd, args, { maxBuffer: 16 * 1024 * 1024 })
  return stdout
}

export async function writeFileFrom(stream: Readable, path: string): Promise<void> {
  await pipeline(stream, createWriteStream(path))
}

export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

export async function streamBytes(stream: Readable): Promise<{ bytes: number; digest: string }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of stream) {
    const buf = chunk as Buffer
    bytes += buf.length
    hash.update(buf)
  }
  return { bytes, digest: hash.digest('hex') }
}

export interface QemuInfo {
  format: string
  'virtual-size': number
  'format-specific'?: { type: string; data: Record<string, unknown> }
}

export async function qemuInfo(path: string, format?: string): Promise<QemuInfo> {
  const args = ['info', '--output=json', ...(format ? ['-f', format] : []), path]
  return JSON.parse(await run('qemu-img', args)) as QemuInfo
}

/**
 * A disk that counts the data blocks read from it: a writer that reads far ahead of its consumer would
 * show here, which is how the tests see constant memory without measuring it.
 */
export function countingDisk(disk: DiskContent): { disk: DiskContent; reads: () => number } {
  let reads = 0
  return {
    disk: {
      size: disk.size,
      blockCount: disk.blockCount,
      isAllocated: (i) => disk.isAllocated(i),
      readBlock: async (i) => {
        const block = await disk.readBlock(i)
        if (block) reads++
        return block
      },
    },
    reads: () => reads,
  }
}

/** Reads `bytes` from a stream, waits to let a runaway producer show itself, then stops reading. */
export async function readThenStop(stream: Readable, bytes: number, waitMs = 100): Promise<void> {
  let got = 0
  for await (const chunk of stream) {
    got += (chunk as Buffer).length
    if (got >= bytes) {
      await new Promise((r) => setTimeout(r, waitMs))
      break
    }
  }
  await new Promise((r) => setTimeout(r, 20))
}
