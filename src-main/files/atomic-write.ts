import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Writes `text` to `path` so that a crash leaves the old file or the new one, never half of
 * either: a temporary file in the same folder, fsync, rename, then (not on Windows) an fsync of
 * the folder, without which the rename itself may not reach the disk. Mode 0600 in a 0700 folder:
 * these files are the admin's settings.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  options: { syncFolder?: boolean } = {},
): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const file = await open(temp, 'wx', 0o600)
  try {
    await file.writeFile(text)
    await file.sync()
  } catch (err) {
    await file.close()
    await unlink(temp).catch(() => undefined)
    throw err
  }
  await file.close()
  try {
    await rename(temp, path)
  } catch (err) {
    await unlink(temp).catch(() => undefined)
    throw err
  }
  if (options.syncFolder !== false && process.platform !== 'win32') {
    const folder = await open(dir, 'r')
    try {
      await folder.sync()
    } finally {
      await folder.close()
    }
  }
}
