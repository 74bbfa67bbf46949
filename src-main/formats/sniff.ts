import { constants, gunzipSync, zstdDecompressSync } from 'node:zlib'
import { detectCompression } from './tar-read'

export type SniffedFormat = 'vhd' | 'xva' | 'ova' | 'raw' | 'unknown'

/** Leading bytes `sniffFormat` wants: a zstd block can be 128 KiB, and the tar header is inside it. */
export const SNIFF_BYTES = 256 * 1024

function octal(buf: Buffer, at: number, len: number): number {
  const text = buf
    .toString('latin1', at, at + len)
    .replace(/\0.*$/s, '')
    .trim()
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN
}

function cString(buf: Buffer, at: number, len: number): string {
  const s = buf.toString('utf8', at, at + len)
  const nul = s.indexOf('\0')
  return nul < 0 ? s : s.slice(0, nul)
}

/** A tar header's checksum: the byte sum with the checksum field read as spaces. */
function validTarHeader(h: Buffer): boolean {
  if (h.length < 512 || h.toString('latin1', 257, 262) !== 'ustar') return false
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!
  return sum === octal(h, 148, 8)
}

/** Name of the first real entry of a tar, following one PAX (`x`) or GNU long-name (`L`) header. */
export function firstTarEntryName(buf: Buffer): string | undefined {
  let at = 0
  let longName: string | undefined
  for (let hops = 0; hops < 3; hops++) {
    const h = buf.subarray(at, at + 512)
    if (!validTarHeader(h)) return undefined
    const type = String.fromCharCode(h[156]!)
    const size = octal(h, 124, 12)
    if (type === 'x' || type === 'L') {
      const data = buf.subarray(at + 512, at + 512 + size)
      if (data.length < size) return undefined
      longName =
        type === 'L'
          ? cString(data, 0, data.length)
          : /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1]
      at += 512 + Math.ceil(size / 512) * 512
      continue
    }
    if (type === 'g') {
      at += 512 + Math.ceil(size / 512) * 512
      continue
    }
    const prefix = h.toString('latin1', 257, 263) === 'ustar\0' ? cString(h, 345, 155) : ''
    const name = cString(h, 0, 100)
    return longName ?? (prefix ? `${prefix}/${name}` : name)
  }
  return undefined
}

function decompressHead(head: Buffer, kind: 'gzip' | 'zstd'): Buffer | undefined {
  // Decompress a bounded prefix only, and cap the output: a sniff must not inflate a bomb.
  const input = head.subarray(0, SNIFF_BYTES)
  const maxOutputLength = 8 * 1024 * 1024
  try {
    return kind === 'gzip'
      ? gunzipSync(input, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength })
      : zstdDecompressSync(input, { finishFlush: constants.ZSTD_e_flush, maxOutputLength })
  } catch {
    return undefined
  }
}

function fromTar(tarHead: Buffer): SniffedFormat | undefined {
  const name = firstTarEntryName(tarHead)
  if (name === undefined) return undefined
  if (name === 'ova.xml') return 'xva' // XAPI requires it first (xapi-project/xen-api import.ml)
  if (/\.ovf$/i.test(name)) return 'ova' // the OVF spec requires the descriptor first
  return 'unknown'
}

/**
 * Guesses a file's format from its first bytes (`SNIFF_BYTES` is plenty), then its name:
 * - VHD: the `conectix` cookie of the footer copy at 0 (dynamic and differencing disks). A fixed
 *   VHD only has its footer at the end, so a `.vhd` name without the cookie still says `vhd`;
 *   `readVhd` then checks the real footer.
 * - XVA / OVA: a tar (`ustar` at 257, valid header checksum) whose first entry is `ova.xml` / `*.ovf`,
 *   also inside gzip or zstd (XO's compressed XVA exports).
 * - raw: only when the name says `.raw` or `.img`; any bytes are a valid raw disk.
 */
export function sniffFormat(firstBytes: Buffer, fileName?: string): SniffedFormat {
  const name = (fileName ?? '').toLowerCase()
  if (firstBytes.toString('latin1', 0, 8) === 'conectix') return 'vhd'
  const compression = detectCompression(firstBytes)
  if (compression !== 'none') {
    const inner = decompressHead(firstBytes, compression)
    const found = inner && fromTar(inner)
    if (found) return found
    return /\.xva(\.(gz|zst))?$/.test(name) ? 'xva' : 'unknown'
  }
  const found = fromTar(firstBytes)
  if (found) return found
  if (name.endsWith('.vhd')) return 'vhd'
  if (/\.(raw|img)$/.test(name)) return 'raw'
  return 'unknown'
}
