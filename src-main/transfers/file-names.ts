import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { partFile } from './download'

/** Characters no file system of the three desktop OSes accepts in a name, and control characters. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f]+/g

/** A name safe on Windows, macOS and Linux: unsafe characters become `-`, no trailing dot or space. */
export function safeFileName(name: string): string {
  const safe = name
    .replace(UNSAFE, '-')
    .replace(/[. ]+$/, '')
    .trim()
    .slice(0, 120)
  // Windows reserves these names whatever the extension.
  return /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(safe) || safe === '' ? `_${safe}` : safe
}

/** `2026-12-01 11-40`: sorts by time, and has no `:` (refused by Windows). */
function stamp(at: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}-${pad(at.getMinutes())}`
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  )

/**
 * `NAME YYYY-MM-DD HH-MM.EXT` in `folder`, with ` (2)`, ` (3)`… when that name (or its `.part`)
 * is taken: an export never overwrites an earlier one.
 */
export async function uniqueFileName(
  folder: string,
  name: string,
  extension: string,
  at = new Date(),
): Promise<string> {
  const base = `${safeFileName(name)} ${stamp(at)}`
  for (let n = 1; ; n++) {
    const file = join(folder, `${base}${n > 1 ? ` (${n})` : ''}.${extension}`)
    if (!(await exists(file)) && !(await exists(partFile(file)))) return file
  }
}
