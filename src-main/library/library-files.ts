// What a library file is, from its name and its companion files (NAME.sha256, NAME.xodesk.json),
// and how folder names are made safe: read with no XO server.
import type { LibraryContents, LibraryFormat, LibrarySidecar } from '@contract/library'
import { open } from 'node:fs/promises'
import { basename, isAbsolute, relative } from 'node:path'
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { sha256File, sidecarFile } from '../transfers/sidecar'
import type { ImageInfo } from '../transfers/validate'

/** Names the library lists, by their ending; the rest (`.part`, `.sha256`, `.xodesk.json`…) is not. */
const FORMATS: ReadonlyArray<readonly [RegExp, LibraryFormat]> = [
  [/\.xva(\.gz|\.zst)?$/i, 'xva'],
  [/\.ova$/i, 'ova'],
  [/\.vhd$/i, 'vhd'],
  [/\.(raw|img)$/i, 'raw'],
  [/\.txt$/i, 'txt'],
  [/\.tgz$/i, 'tgz'],
]

export const TYPES = '.xva, .ova, .vhd, .raw, .img, .txt and .tgz'

/** The library format a file name says, or undefined for a name the library does not list. */
export function libraryFormat(name: string): LibraryFormat | undefined {
  return FORMATS.find(([re]) => re.test(name))?.[1]
}

/** Windows' reserved device names, refused with any extension (`CON`, `con.txt`, `COM1`…). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i
const MAX_LABEL_CHARS = 60

/**
 * A folder name from an instance label, valid on Windows, macOS and Linux: no `<>:"/\|?*` or
 * control characters (each run becomes `-`), no leading dot (hidden on Unix, `..`), no trailing dot
 * or space (Windows drops them), not a reserved device name, at most 60 characters.
 */
export function safeFolderName(label: string): string {
  let name = label
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[<>:"/\\|?*\u0000-\u001f\u007f]+/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
  name = [...name]
    .slice(0, MAX_LABEL_CHARS)
    .join('')
    .replace(/[.\s]+$/, '')
  if (name === '') return 'instance'
  if (RESERVED.test(name.split('.')[0]!.trim())) name = `_${name}`
  return name
}

/** Eight hex digits from the instance id: the same id always gives the same suffix. */
export function idSuffix(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 8)
}

const sidecarSchema = z.object({
  xoDesk: z.object({ version: z.string() }),
  source: z.object({
    instance: z.string().optional(),
    url: z.string(),
    pool: z.string().optional(),
  }),
  object: z.object({
    type: z.enum(['VM', 'VM-snapshot', 'VM-template', 'VDI', 'VDI-snapshot', 'host']),
    uuid: z.string(),
    name: z.string().optional(),
  }),
  snapshotTime: z.string().optional(),
  format: z.enum(['xva', 'ova', 'vhd', 'raw', 'txt', 'tgz']),
  compression: z.enum(['gzip', 'zstd', 'none']),
  size: z.number(),
  sha256: z.string().nullable(),
  exportedAt: z.string(),
}) satisfies z.ZodType<LibrarySidecar>

/** At most `limit` bytes of a small companion file as text, or undefined when it does not exist. */
export async function readSmall(file: string, limit: number): Promise<string | undefined> {
  let fh
  try {
    fh = await open(file, 'r')
  } catch (err) {
    if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR') return undefined
    throw err
  }
  try {
    const buf = Buffer.alloc(limit)
    const { bytesRead } = await fh.read(buf, 0, limit, 0)
    return buf.toString('utf8', 0, bytesRead)
  } finally {
    await fh.close()
  }
}

export async function readSidecar(file: string): Promise<LibrarySidecar | undefined> {
  try {
    const text = await readSmall(sidecarFile(file), 1024 * 1024)
    if (text === undefined) return undefined
    const parsed = sidecarSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    // Unreadable or not JSON: listed as if there were none.
    return undefined
  }
}

export type Expected = { expected: string } | { problem: string } | undefined

/**
 * The digest `NAME.sha256` gives for `file`: the first hex field of the line naming it (the
 * `sha256sum` format, text or `*` binary mode), else of the first line; undefined when there is none.
 */
export async function readExpected(file: string): Promise<Expected> {
  const name = basename(sha256File(file))
  let text: string | undefined
  try {
    text = await readSmall(sha256File(file), 64 * 1024)
  } catch (err) {
    return { problem: `${name} cannot be read (${codeOf(err) ?? String(err)})` }
  }
  if (text === undefined) return undefined
  const lines = text
    .split(/\r?\n/)
    .map((l) => /^\\?([0-9a-f]{64})(?:\s+\*?(.*))?$/i.exec(l.trim()))
    .filter((m) => m !== null)
  const line = lines.find((m) => m[2] === basename(file)) ?? lines[0]
  if (!line?.[1]) return { problem: `${name} is not a sha256sum line` }
  return { expected: line[1].toLowerCase() }
}

/** What `inspectImage` found, as the contract shows it (without the absolute path). */
export function toContents(info: ImageInfo): LibraryContents {
  switch (info.kind) {
    case 'xva':
    case 'ova':
      return {
        kind: info.kind,
        compression: info.compression,
        vm: { ...info.vm },
        disks: info.disks.map((d) => ({ name: d.name, virtualSize: d.virtualSize })),
        checksums: info.checksums,
      }
    case 'vhd':
      return {
        kind: 'vhd',
        diskType: info.diskType,
        virtualSize: info.virtualSize,
        creatorApp: info.creatorApp,
        ...(info.blockSize !== undefined ? { blockSize: info.blockSize } : {}),
        ...(info.allocatedBlocks !== undefined ? { allocatedBlocks: info.allocatedBlocks } : {}),
      }
    case 'raw':
      return { kind: 'raw', virtualSize: info.virtualSize }
  }
}

/** True when `inner` is strictly inside `outer` (both absolute and resolved). */
export function inside(outer: string, inner: string): boolean {
  const rel = relative(outer, inner)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}
