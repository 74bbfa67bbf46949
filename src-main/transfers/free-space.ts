import { statfs } from 'node:fs/promises'
import { AppFailure } from '../app-failure'

/** Bytes an unprivileged process may still write on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir)
  return s.bavail * s.bsize
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`

/** Throws a `disk-full` failure before any byte is downloaded when `bytes` cannot fit in `dir`. */
export async function ensureFreeSpace(dir: string, bytes: number): Promise<void> {
  const free = await freeBytes(dir)
  if (bytes > free) {
    throw new AppFailure(
      'disk-full',
      `The export needs ${mb(bytes)} but only ${mb(free)} are free in ${dir}.`,
      'Free some space there or choose another folder, then try again.',
    )
  }
}
