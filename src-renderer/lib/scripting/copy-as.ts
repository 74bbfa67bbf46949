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

/** One request of an action, as the window sends it to main (see lib/objects/object-actions.ts). */
export type ActionCall =
  | { method: 'objects.action'; collection: string; action: string; id: string; params?: object }
  | { method: 'objects.delete'; collection: string; id: string }
  | { method: 'objects.rename'; collection: string; id: string; name: string }
  | { method: 'objects.tag'; collection: string; id: string; tag: string; present: boolean }

/**
 * The XO REST request an action sends, as curl: `POST /{collection}/{id}/actions/{action}` with
 * its body, `DELETE`, `PATCH` or `PUT`/`DELETE …/tags/{tag}`, as XO's spec names them.
 */
export function actionAsCurl(base: string, call: ActionCall): string {
  const root = `${base.replace(/\/$/, '')}/${call.collection}/${encodeURIComponent(call.id)}`
  const cookie = `-b "authenticationToken=$XO_TOKEN"`
  const json = (body: object): string =>
    ` -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(body))}`
  switch (call.method) {
    case 'objects.action':
      // Without `sync=true` XO answers at once with the task's URL, as XO Desk uses it.
      return `curl -sS ${cookie} -X POST${call.params ? json(call.params) : ''} ${shellQuote(`${root}/actions/${call.action}`)}`
    case 'objects.delete':
      return `curl -sS ${cookie} -X DELETE ${shellQuote(root)}`
    case 'objects.rename':
      // `PATCH /vms/{id}` takes `nameLabel`; `PATCH /vdis/{id}` takes `name_label` (XO's spec).
      return `curl -sS ${cookie} -X PATCH${json(call.collection === 'vms' ? { nameLabel: call.name } : { name_label: call.name })} ${shellQuote(root)}`
    case 'objects.tag':
      return `curl -sS ${cookie} -X ${call.present ? 'PUT' : 'DELETE'} ${shellQuote(`${root}/tags/${encodeURIComponent(call.tag)}`)}`
  }
}
