import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Path of the Electron binary if it is installed, without `require('electron')`, which downloads
 * the binary on first use (the `electron` package's index.js; electron/electron#49328, Electron's
 * lazy download) and fails offline.
 */
export function electronBinary(root = process.cwd()): string | undefined {
  const dir = join(root, 'node_modules', 'electron')
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) return undefined
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : undefined
}
