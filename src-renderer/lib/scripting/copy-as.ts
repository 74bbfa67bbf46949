// "Copy as curl" and "Copy as CLI": what a list shows, as a command an admin can paste into a
// script. The token is never in it: `$XO_TOKEN` stands for it (the shell expands it).

/** One shell word, single-quoted (POSIX sh, bash, zsh): `it's` → `'it'\''s'`. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

export interface ListQuery {
  /** The instance's REST base, `…/rest/v0`. */
  url: string
  /** The instance's name in XO Desk, for `--instance`. */
  instance: string
  collection: string
  fields: readonly string[]
  /** XO's filter syntax, as typed above the list; the server reads the same grammar. */
  filter?: string
}

/** `GET /{collection}?fields=…&filter=…` with the token from `$XO_TOKEN`, as JSON. */
export function listAsCurl(q: ListQuery): string {
  const params = new URLSearchParams({ fields: q.fields.join(',') })
  if (q.filter?.trim()) params.set('filter', q.filter.trim())
  const url = `${q.url.replace(/\/$/, '')}/${q.collection}?${params.toString()}`
  // The cookie in double quotes so that the shell expands $XO_TOKEN, the URL in single quotes.
  return `curl -sS -b "authenticationToken=$XO_TOKEN" ${shellQuote(url)}`
}

/** The same list with `xo-desk ls`: the token comes from the keychain, the certificate is checked. */
export function listAsCli(q: ListQuery): string {
  const words = [
    'xo-desk',
    'ls',
    q.collection,
    '--instance',
    q.instance,
    '--fields',
    q.fields.join(','),
    ...(q.filter?.trim() ? ['--filter', q.filter.trim()] : []),
    '--json',
  ]
  return words.map(shellQuote).join(' ')
}
