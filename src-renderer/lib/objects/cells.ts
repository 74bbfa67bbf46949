import { m } from '../../paraglide/messages.js'
import { formatBytes } from '../format/bytes'
import { dateTime } from '../format/time'
import type { Column } from './object-types'

/** The value at a dotted path of a row (`memory.size`). */
export function valueAt(row: object, path: string): unknown {
  let value: unknown = row
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/** XO's times are seconds since the epoch on messages and alarms, ms on tasks: read both. */
function toMs(value: number): number {
  return value < 1e11 ? value * 1000 : value
}

/** What a cell shows, as text (power states and tags have their own look). */
export function cellText(column: Column, row: object, names: ReadonlyMap<string, string>): string {
  const value = valueAt(row, column.key)
  if (value === undefined || value === null || value === '') return '—'
  switch (column.kind) {
    case 'bytes':
      return typeof value === 'number' ? formatBytes(value) : '—'
    case 'percent':
      return typeof value === 'number' ? `${Math.round(value)} %` : '—'
    case 'bool':
      return value === true ? m.cell_yes() : value === false ? m.cell_no() : '—'
    case 'date':
      return typeof value === 'number' && value > 0 ? dateTime(toMs(value)) : '—'
    case 'list':
      return Array.isArray(value) ? String(value.length) : '—'
    case 'ref': {
      // A halted VM's `$container` is its pool: it runs on no host.
      if (column.key === '$container' && valueAt(row, 'power_state') === 'Halted') return '—'
      return typeof value === 'string' ? (names.get(value) ?? value) : '—'
    }
    case 'tags':
      return Array.isArray(value) ? value.join(', ') : '—'
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
}
