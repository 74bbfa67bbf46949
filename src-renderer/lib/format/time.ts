import { m } from '../../paraglide/messages.js'
import { getLocale } from '../../paraglide/runtime.js'

/** `14:03:07` in the app's language, for timestamps in the status bar. */
export function clockTime(ms: number, locale: string = getLocale()): string {
  return new Date(ms).toLocaleTimeString(locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

/** How long ago, in a few words: `just now`, `5 min ago`, `3 h ago`, `2 days ago`. */
export function age(since: number, now: number = Date.now()): string {
  const minutes = Math.floor(Math.max(0, now - since) / 60_000)
  if (minutes < 1) return m.format_just_now()
  if (minutes < 60) return m.format_minutes_ago({ count: minutes })
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return m.format_hours_ago({ count: hours })
  return m.format_days_ago({ count: Math.floor(hours / 24) })
}

/** `3 Dec, 14:03` in the app's language: when data shown was last known to be current. */
export function dateTime(ms: number, locale: string = getLocale()): string {
  return new Date(ms).toLocaleString(locale, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  })
}

/** `42 s`, `3 min 5 s`, `1 h 20 min`: a transfer's time left (the same units in French). */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}
