import { createReadStream } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import packageJson from '../../package.json' with { type: 'json' }

/** `txt` and `tgz`: a host's audit log and its logs (`GET /hosts/{id}/audit.txt`, `…/logs.tgz`). */
export type ExportFormat = 'xva' | 'ova' | 'vhd' | 'raw' | 'txt' | 'tgz'
export type ExportCompression = 'gzip' | 'zstd'

/** Where an export came from, as the caller knows it (written to the sidecar). */
export interface ExportSource {
  /** The app's name for the instance, when exported through one. */
  instance?: string
  /** The XO address (the REST API base). */
  url: string
  /** The pool's uuid (`$pool`), when known. */
  pool?: string
  object: {
    type: 'VM' | 'VM-snapshot' | 'VM-template' | 'VDI' | 'VDI-snapshot' | 'host'
    uuid: string
    name?: string
  }
  /** For snapshots: when it was taken (ISO 8601). */
  snapshotTime?: string
}

/** `NAME.xodesk.json`: what the file is and where it came from. */
export interface ExportSidecar {
  xoDesk: { version: string }
  source: { instance?: string; url: string; pool?: string }
  object: ExportSource['object']
  snapshotTime?: string
  format: ExportFormat
  compression: ExportCompression | 'none'
  size: number
  /** null: exported without a checksum (`checksum: false`), so there is no `NAME.sha256`. */
  sha256: string | null
  exportedAt: string
}

export const sha256File = (file: string): string => `${file}.sha256`
export const sidecarFile = (file: string): string => `${file}.xodesk.json`

/**
 * The line `sha256sum` writes and `sha256sum -c` reads (GNU coreutils, text mode): the hex digest,
 * two spaces, the file name relative to the `.sha256` file's folder.
 */
export function sha256Line(digest: string, file: string): string {
  return `${digest}  ${basename(file)}\n`
}

/**
 * Writes `NAME.sha256` and `NAME.xodesk.json` next to `file` (the final name); without a digest
 * (`sha256: null`) only the sidecar, and any older `NAME.sha256` is removed so nothing vouches for it.
 */
export async function writeSidecars(
  file: string,
  info: {
    source: ExportSource
    format: ExportFormat
    compression?: ExportCompression
    size: number
    sha256: string | null
    now?: Date
  },
): Promise<void> {
  const sidecar: ExportSidecar = {
    xoDesk: { version: packageJson.version },
    source: {
      ...(info.source.instance !== undefined ? { instance: info.source.instance } : {}),
      url: info.source.url,
      ...(info.source.pool !== undefined ? { pool: info.source.pool } : {}),
    },
    object: info.source.object,
    ...(info.source.snapshotTime !== undefined ? { snapshotTime: info.source.snapshotTime } : {}),
    format: info.format,
    compression: info.compression ?? 'none',
    size: info.size,
    sha256: info.sha256,
    exportedAt: (info.now ?? new Date()).toISOString(),
  }
  if (info.sha256 === null) await rm(sha256File(file), { force: true })
  else await writeFile(sha256File(file), sha256Line(info.sha256, file))
  await writeFile(sidecarFile(file), `${JSON.stringify(sidecar, null, 2)}\n`)
}

export type VerifyOutcome =
  | { ok: true; file: string; sha256: string }
  | { ok: false; file: string; expected?: string; actual?: string; problem: string }

/**
 * Checks `file` against its `NAME.sha256` (the `sha256sum` format): reads the file once, streaming.
 * The `.sha256` may name the file with or without a leading `*` (binary mode).
 */
export async function verifyFile(file: string): Promise<VerifyOutcome> {
  let text: string
  try {
    text = await readFile(sha256File(file), 'utf8')
  } catch {
    return { ok: false, file, problem: `there is no ${basename(sha256File(file))} next to it` }
  }
  const line = text.split('\n').find((l) => l.trim() !== '')
  const m = /^([0-9a-f]{64}) [ *](.+)$/i.exec(line?.trim() ?? '')
  if (!m?.[1] || !m[2]) {
    return { ok: false, file, problem: `${basename(sha256File(file))} is not a sha256sum line` }
  }
  const expected = m[1].toLowerCase()
  const named = join(dirname(file), m[2])
  const hash = createHash('sha256')
  try {
    await pipeline(createReadStream(named), hash)
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    return { ok: false, file, expected, problem: `the file cannot be read (${why})` }
  }
  const actual = hash.digest('hex')
  if (actual !== expected)
    return { ok: false, file, expected, actual, problem: 'its SHA-256 does not match' }
  return { ok: true, file, sha256: actual }
}
