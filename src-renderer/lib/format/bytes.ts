import { getLocale } from '../../paraglide/runtime.js'

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** One formatter per language and digit count: building an Intl.NumberFormat costs far more than using one. */
const formats = new Map<string, Intl.NumberFormat>()
function numberFormat(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}:${digits}`
  let format = formats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: false,
    })
    formats.set(key, format)
  }
  return format
}

/** `4 GiB`, `512 MiB`: binary units, as XCP-ng and XO show memory and disk sizes; `1,5 GiB` in French. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—'
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  const digits = value >= 100 || unit === 0 || Number.isInteger(value) ? 0 : 1
  return `${numberFormat(getLocale(), digits).format(value)} ${UNITS[unit]}`
}
