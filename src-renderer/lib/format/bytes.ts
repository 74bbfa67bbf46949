import { getLocale } from '../../paraglide/runtime.js'

/** `4 GiB`, `512 MiB`: binary units, as XCP-ng and XO show memory and disk sizes; `1,5 GiB` in French. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const digits = value >= 100 || unit === 0 || Number.isInteger(value) ? 0 : 1
  const number = new Intl.NumberFormat(getLocale(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  }).format(value)
  return `${number} ${units[unit]}`
}
