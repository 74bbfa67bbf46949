import { MalformedResponseError, RedirectRefusedError } from './failures'
import { readJson } from './response-body'
import type { Credentials, Transport } from './transport'
import type { XoAuthenticationToken } from './types'

export interface CreateTokenInput {
  username: string
  password: string
  description?: string
  /** `"30 days"` or milliseconds; XO's default is 30 days (docs/xo-rest-api.md#authentication). */
  expiresIn?: string | number
  /** A stable id per installation: XO then reuses this client's unexpired token. */
  clientId?: string
  /**
   * The one-time code of an account with two-factor authentication, sent as `?otp=` next to the
   * Basic credentials (@xen-orchestra/rest-api 0.39.0, dist/middlewares/authentication.middleware.mjs);
   * XO's 307 keeps the query (dist/users/user.middleware.mjs).
   */
  otp?: string
}

const MAX_REDIRECTS = 3

/** The path below the API base a redirect points to, if it stays on the same origin and API. */
export function redirectPath(base: URL, location: string): string {
  const target = new URL(location, base)
  if (target.origin !== base.origin || !target.pathname.startsWith(`${base.pathname}/`))
    throw new RedirectRefusedError(target.href)
  return `${target.pathname.slice(base.pathname.length)}${target.search}`
}

/**
 * Creates a token with the user's password: Basic auth and never the cookie, since both together
 * are a 400 (@xen-orchestra/rest-api 0.39.0, dist/middlewares/authentication.middleware.mjs).
 * `/users/me/…` answers 307 to the user's own id (dist/users/user.middleware.mjs): the POST, its
 * body and the Authorization are sent again, to the same origin and API only.
 */
export async function createToken(
  transport: Transport,
  input: CreateTokenInput,
  signal: AbortSignal,
): Promise<XoAuthenticationToken> {
  const credentials: Credentials = {
    kind: 'basic',
    username: input.username,
    password: input.password,
  }
  // Absent keys vanish from the JSON; extra keys would be a 422 (@xen-orchestra/rest-api 0.39.0,
  // tsoa.json: throw-on-extras).
  const json = {
    description: input.description,
    expiresIn: input.expiresIn,
    client: input.clientId === undefined ? undefined : { id: input.clientId },
  }
  let path = `/users/me/authentication_tokens${input.otp ? `?otp=${encodeURIComponent(input.otp)}` : ''}`
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const answer = await transport.exchange(
      { method: 'POST', path, json, kind: 'write', credentials, accept: [200, 201, 307, 308] },
      signal,
      async (res) => {
        if (res.status === 307 || res.status === 308) {
          await res.body.dump()
          return { kind: 'redirect' as const, location: String(res.headers['location'] ?? '') }
        }
        const body = (await readJson(res.headers, res.body)) as { token?: unknown } | undefined
        const token = body?.token as XoAuthenticationToken | undefined
        if (typeof token?.id !== 'string') throw new MalformedResponseError('json', 'no token')
        return { kind: 'token' as const, token }
      },
    )
    if (answer.kind === 'token') return answer.token
    path = redirectPath(transport.base, answer.location)
  }
  throw new RedirectRefusedError('too many redirects')
}
