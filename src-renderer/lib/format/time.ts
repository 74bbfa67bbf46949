/** `14:03:07` in the user's locale, for timestamps in the status bar. */
export function clockTime(ms: number, locale?: string): string {
  return new Date(ms).toLocaleTimeString(locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}
