import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { LabAccount, XoRecord } from './lab/types'
import { xoError } from './http/xo-errors'

/** An XO token record (`POST /users/{id}/authentication_tokens`); its `id` is the cookie value. */
export interface TokenRecord {
  id: string
  user_id: string
  created_at: number
  expiration: number
  description?: string
  client?: { id?: string }
  last_uses?: Record<string, { timestamp: number }>
}

/** Who made a request. */
export interface Caller {
  userId: string
  permission: 'admin' | 'none'
}

const DAY = 24 * 3600 * 1000
const DEFAULT_VALIDITY = 30 * DAY // authentication.defaultTokenValidity
const MAX_VALIDITY = 182.5 * DAY // maxTokenValidity, half a year

/** 43-character URL-safe random token ids, as XO makes them. */
export function newTokenId(): string {
  return randomBytes(32).toString('base64url')
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim())
  }
  return out
}

const UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  s: 1000,
  second: 1000,
  m: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: DAY,
  day: DAY,
  w: 7 * DAY,
  week: 7 * DAY,
  month: 30 * DAY,
  y: 365 * DAY,
  year: 365 * DAY,
}

/** `"30 days"`, `"1 hour"`, `"0.5 year"` or milliseconds (XO's @vates/parse-duration). */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value
  const match = /^\s*([\d.]+)\s*([a-z]+?)s?\s*$/i.exec(value)
  const unit = match?.[2] ? UNITS[match[2].toLowerCase()] : undefined
  if (!match?.[1] || unit === undefined) throw xoError.plain(`invalid expiresIn duration: ${value}`)
  return Number(match[1]) * unit
}

/**
 * Users, passwords and tokens of the lab; authenticates requests as XO does
 * (docs/xo-rest-api.md#authentication).
 */
export class Authenticator {
  readonly tokens = new Map<string, TokenRecord>()
  readonly #accounts: LabAccount[]
  readonly #failedAt = new Map<string, number>()

  constructor(
    accounts: LabAccount[],
    readonly now: () => number = Date.now,
  ) {
    this.#accounts = accounts
  }

  accountByUserId(userId: string): LabAccount | undefined {
    return this.#accounts.find((a) => a.userId === userId)
  }

  addAccount(account: LabAccount): void {
    this.#accounts.push(account)
  }

  issueToken(
    userId: string,
    options: { description?: string; expiresIn?: string | number; client?: { id?: string } } = {},
  ): TokenRecord {
    const validity =
      options.expiresIn === undefined ? DEFAULT_VALIDITY : parseDuration(options.expiresIn)
    if (!(validity >= 60_000))
      throw xoError.plain(`invalid expiresIn duration: ${String(options.expiresIn)}`)
    if (validity > MAX_VALIDITY)
      throw xoError.plain(`too high expiresIn duration: ${String(options.expiresIn)}`)
    const now = this.now()
    // An unexpired token of the same user and client is reused with a new expiry (xo-server's
    // createAuthenticationToken in vatesfr/xen-orchestra,
    // packages/xo-server/src/xo-mixins/authentication.mjs).
    const clientId = options.client?.id
    const reused =
      clientId === undefined
        ? undefined
        : [...this.tokens.values()].find(
            (t) => t.user_id === userId && t.client?.id === clientId && t.expiration > now,
          )
    const token: TokenRecord = {
      ...(reused ?? { id: newTokenId(), user_id: userId, created_at: now }),
      expiration: now + validity,
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.client === undefined ? {} : { client: options.client }),
    }
    this.tokens.set(token.id, token)
    return token
  }

  /** Makes a token expire now (fault injection: "expired token"). */
  expire(tokenId: string): void {
    const token = this.tokens.get(tokenId)
    if (token) token.expiration = this.now() - 1
  }

  /**
   * Who is calling, or undefined for no credentials. Bad credentials fail even on routes that need
   * none; cookie and Authorization together are a 400 (@xen-orchestra/rest-api 0.39.0,
   * dist/middlewares/authentication.middleware.mjs).
   */
  authenticate(
    req: IncomingMessage,
    users: (id: string) => XoRecord | undefined,
  ): Caller | undefined {
    const cookies = parseCookies(req.headers.cookie)
    const token = cookies['authenticationToken'] ?? cookies['token']
    const authorization = req.headers.authorization
    if (token !== undefined && authorization !== undefined) {
      throw xoError.api(
        400,
        'Having multiple authentication methods is not supported, please choose one',
      )
    }
    if (authorization !== undefined) {
      const space = authorization.indexOf(' ')
      const encoded = space < 0 ? '' : authorization.slice(space + 1).trim()
      if (encoded === '') throw xoError.api(400, 'Malformed Authorization header')
      // XO decodes whatever follows the scheme as Basic: a Bearer token decodes to garbage
      // (@xen-orchestra/rest-api 0.39.0, dist/middlewares/authentication.middleware.mjs).
      const decoded = Buffer.from(encoded, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon < 0) throw xoError.invalidCredentials()
      return this.#byPassword(decoded.slice(0, colon), decoded.slice(colon + 1))
    }
    if (token === undefined) return undefined
    const record = this.tokens.get(token)
    if (!record || record.expiration <= this.now()) {
      if (record) this.tokens.delete(token) // expired tokens are treated as unknown and deleted
      throw xoError.invalidCredentials()
    }
    const ip = req.socket.remoteAddress ?? 'unknown'
    record.last_uses = { ...record.last_uses, [ip]: { timestamp: this.now() } }
    const user = users(record.user_id)
    if (!user) throw xoError.invalidCredentials()
    return { userId: record.user_id, permission: user['permission'] === 'admin' ? 'admin' : 'none' }
  }

  #byPassword(name: string, password: string): Caller {
    if (password === '') throw xoError.plain('empty password')
    const failedAt = this.#failedAt.get(name)
    if (failedAt !== undefined && this.now() - failedAt < 2000)
      throw xoError.plain('too fast authentication tries')
    const account = this.#accounts.find((a) => a.name === name && a.password === password)
    if (!account) {
      this.#failedAt.set(name, this.now())
      throw xoError.invalidCredentials()
    }
    return { userId: account.userId, permission: account.permission }
  }
}
