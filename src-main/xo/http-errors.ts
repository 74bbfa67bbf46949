import type { AppError, ErrorCode } from '@contract'
import type { XoErrorContext } from './errors'
import type { XoResponseError } from './failures'
import { parseRetryAfter } from './retry'
import { explainXapi, parseXapiMessage } from './xapi-errors'

/**
 * HTTP answers as readable errors: XO's `{error, data?, info?}` bodies per status
 * (docs/xo-rest-api.md#errors), and non-JSON answers, which come from something else in the way
 * (proxy, login page, wrong port).
 */

interface XoErrorBody {
  error?: unknown
  data?: unknown
  info?: unknown
}

type Rule = (ctx: XoErrorContext, body: XoErrorBody, res: XoResponseError) => AppError

const err = (code: ErrorCode, message: string, action: string, retryable = false): AppError => ({
  code,
  message,
  action,
  retryable,
})

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** XO's message without a trailing period, so it fits inside our sentence. */
const said = (body: XoErrorBody): string =>
  (str(body.error) ?? JSON.stringify(body.error ?? 'no reason given')).replace(/\.$/, '')

function name(ctx: XoErrorContext, collection: string, id: string): string {
  return ctx.nameOf?.(collection, id) ?? id
}

/** The target's display name, or a short phrase when the request had none. */
function subject(ctx: XoErrorContext): string {
  const t = ctx.target
  return t ? name(ctx, t.collection, t.id) : 'The object'
}

const VERSION_MISMATCH =
  'This looks like a version mismatch between XO Desk and XO: update XO Desk, or report it.'

// ── JSON answers from XO, by status ─────────────────────────────────────────────────────────────

/**
 * 403 `not enough privileges` names each missing `resource:action` and object
 * (@xen-orchestra/rest-api 0.39.0, dist/middlewares/acl.middleware.mjs).
 */
function missingPrivileges(ctx: XoErrorContext, list: unknown[]): AppError {
  const parts = list.slice(0, 3).map((item) => {
    const p = record(item)
    const resource = str(p['resource']) ?? '?'
    const ids = [
      ...(Array.isArray(p['objectIds']) ? p['objectIds'] : []),
      ...(typeof p['objectId'] === 'string' ? [p['objectId']] : []),
    ].map((id) => name(ctx, `${resource}s`, String(id)))
    return `${resource}:${str(p['action']) ?? '?'}${ids.length > 0 ? ` on ${ids.join(', ')}` : ''}`
  })
  return err(
    'forbidden',
    `You lack ${parts.join('; ')} on ${ctx.host}.`,
    'Ask an XO administrator to grant it, or sign in with another account.',
  )
}

const JSON_RULES: Record<number, Rule> = {
  400: (ctx, body) => {
    const filter = str(record(body.data)['stringToParse'])
    if (filter !== undefined) {
      return err(
        'xo-rejected',
        `The filter "${filter}" is not valid for ${ctx.host}: ${said(body)}.`,
        'Fix the filter (XO search syntax, e.g. power_state:Running).',
      )
    }
    return err('xo-rejected', `${ctx.host} refused the request: ${said(body)}.`, VERSION_MISMATCH)
  },
  // XO answers 401 alike for an unknown, expired or revoked token
  // (docs/xo-rest-api.md#authentication).
  401: (ctx) =>
    ctx.credentials === 'basic'
      ? err(
          'auth-invalid',
          `${ctx.host} did not accept this user name and password.`,
          'Check them, then sign in again.',
        )
      : err(
          'auth-expired',
          `Your session on ${ctx.host} has expired or was revoked.`,
          `Sign in to ${ctx.host} again.`,
        ),
  403: (ctx, body) => {
    const data = record(body.data)
    if (Array.isArray(data['missingPrivileges']))
      return missingPrivileges(ctx, data['missingPrivileges'])
    if (body.error === 'not enough permissions') {
      return err(
        'forbidden',
        `This needs an XO administrator account on ${ctx.host}.`,
        'Sign in as an administrator, or ask one to do it.',
      )
    }
    if (typeof data['minPlan'] === 'string') {
      return err(
        'forbidden',
        `This needs the XOA ${data['minPlan']} plan on ${ctx.host} (it has ${str(data['currentPlan']) ?? 'another plan'}).`,
        'Upgrade XOA, or do it another way.',
      )
    }
    const reason = str(data['reason'])
    return err(
      'forbidden',
      `${ctx.host} refused it: ${reason ?? said(body)}.`,
      'Check the settings of the object in XO (e.g. protection against deletion).',
    )
  },
  404: (ctx, body) => {
    const data = record(body.data)
    const type = str(data['type'])
    const id = str(data['id'])
    if (type !== undefined && id !== undefined) {
      return err(
        'not-found',
        `The ${type.replace(/-/g, ' ')} ${name(ctx, `${type.toLowerCase()}s`, id)} no longer exists on ${ctx.host}.`,
        'It was probably deleted meanwhile: check in XO that it still exists.',
      )
    }
    return err(
      'not-found',
      `${ctx.host} found nothing: ${said(body)}.`,
      'Check in XO that it still exists.',
    )
  },
  409: (ctx, body) => {
    const data = record(body.data)
    if (typeof data['property'] === 'string') {
      const object = str(data['object'])
      const who =
        object !== undefined && ctx.target?.id === object ? subject(ctx) : (object ?? subject(ctx))
      return err(
        'conflict',
        `${who} on ${ctx.host} has ${data['property']} ${JSON.stringify(data['actual'])}, but this needs ${JSON.stringify(data['expected'])}.`,
        'Wait until it is in that state, then try again.',
      )
    }
    return err(
      'conflict',
      `${ctx.host} refused it: ${said(body)}.`,
      'Check its current state in XO; if the name is taken, use another one.',
    )
  },
  // tsoa puts the invalid fields, as an object, in `error` (@xen-orchestra/rest-api 0.39.0,
  // dist/middlewares/tsoa-to-xo-error.middleware.mjs).
  422: (ctx, body) => {
    if (typeof body.error === 'object' && body.error !== null) {
      const fields = Object.entries(record(body.error)).map(
        ([field, v]) => `${field}: ${str(record(v)['message']) ?? 'invalid'}`,
      )
      return err(
        'xo-rejected',
        `${ctx.host} rejected the request: ${fields.join('; ')}.`,
        VERSION_MISMATCH,
      )
    }
    return err(
      'xo-rejected',
      `${ctx.host} rejected the request: ${said(body)}.`,
      'Check the values and try again.',
    )
  },
  429: (ctx, _body, res) => rateLimited(ctx, res),
  500: (ctx, body) => {
    const message = said(body)
    const xapi = body.info !== undefined ? parseXapiMessage(message) : undefined
    if (xapi) {
      const x = explainXapi(xapi, subject(ctx))
      return err(
        'xo-failed',
        `${x.message.replace(/\.$/, '')} (on ${ctx.host}).`,
        x.action,
        x.retryable,
      )
    }
    if (message === 'too fast authentication tries') {
      return err(
        'rate-limited',
        `${ctx.host} refuses a sign-in less than 2 s after a failed one.`,
        'Wait a few seconds, then sign in again.',
        true,
      )
    }
    if (message === 'empty password')
      return err('invalid-input', 'The password is empty.', 'Type your password.')
    if (/expiresIn duration/.test(message)) {
      return err(
        'invalid-input',
        `${ctx.host} refused the token lifetime: ${message}.`,
        'Choose a lifetime between 1 minute and 6 months.',
      )
    }
    return err(
      'xo-failed',
      `XO on ${ctx.host} failed: ${message}.`,
      "Try again; if it keeps failing, check XO's logs.",
    )
  },
  501: (ctx) =>
    err(
      'xo-failed',
      `The XO version on ${ctx.host} does not implement this.`,
      "Update XO, or do it in XO's web interface.",
    ),
  502: (ctx, body) =>
    err(
      'xo-failed',
      `XO on ${ctx.host} could not reach what it needed: ${said(body)}.`,
      'Check it in XO, then try again.',
      true,
    ),
  503: (ctx, body) => {
    const service = str(record(body.data)['serviceName'])
    return err(
      'xo-failed',
      `XO on ${ctx.host} is temporarily unavailable (${said(body)}${service ? `: ${service}` : ''}).`,
      'Wait a moment, then try again.',
      true,
    )
  },
  504: (ctx) =>
    err('timeout', `XO on ${ctx.host} timed out.`, 'XO may be busy; try again in a moment.', true),
}

function rateLimited(ctx: XoErrorContext, res: XoResponseError): AppError {
  const wait = parseRetryAfter(res.headers['retry-after'])
  return err(
    'rate-limited',
    `${ctx.host} (or a proxy in front of it) is limiting requests.`,
    wait === undefined
      ? 'Wait a little, then try again.'
      : `Wait ${Math.ceil(wait / 1000)} s, then try again.`,
    true,
  )
}

// ── Answers that are not XO's JSON: something else is in the way ───────────────────────────────

const GATEWAY: Rule = (ctx, _b, res) =>
  err(
    'unreachable',
    `A proxy or gateway in front of ${ctx.host} could not reach XO (HTTP ${res.status}).`,
    'Check that XO is running, then try again; if it keeps happening, ask your network administrator.',
    true,
  )

const PAGE_RULES: Record<number, Rule> = {
  407: (ctx) =>
    err(
      'unreachable',
      `A proxy between XO Desk and ${ctx.host} asks for its own sign-in (HTTP 407).`,
      'Connect without that proxy, or ask your network administrator.',
    ),
  429: (ctx, _b, res) => rateLimited(ctx, res),
  502: GATEWAY,
  503: GATEWAY,
  504: GATEWAY,
}

function notXo(ctx: XoErrorContext, res: XoResponseError): AppError {
  const location = res.headers['location']
  if (res.status >= 300 && res.status < 400 && location !== undefined) {
    return err(
      'not-xo',
      `${ctx.host} redirected to ${String(location)}, which XO's REST API does not do: a login page or proxy is in the way.`,
      'Check the address: type the XO web address, e.g. https://xo.example.net.',
    )
  }
  const what = /html/i.test(res.contentType) ? 'a web page' : 'something other than JSON'
  return err(
    'not-xo',
    `${ctx.host} answered HTTP ${res.status} with ${what} instead of XO's JSON: this address is not XO's REST API (a proxy login page, or the wrong port?), or its XO is too old.`,
    'Check the address: type the XO web address, e.g. https://xo.example.net.',
  )
}

/** The readable error for an HTTP answer the client did not accept. */
export function explainHttp(res: XoResponseError, ctx: XoErrorContext): AppError {
  let body: XoErrorBody | undefined
  if (res.isJson) {
    try {
      body = record(JSON.parse(res.text))
    } catch {
      body = undefined // cut short at 64 KiB or garbled: treat as not XO's
    }
  }
  if (body === undefined || !('error' in body)) {
    return (PAGE_RULES[res.status] ?? ((c: XoErrorContext) => notXo(c, res)))(ctx, {}, res)
  }
  const rule = JSON_RULES[res.status]
  if (rule) return rule(ctx, body, res)
  return res.status >= 500
    ? err('xo-failed', `XO on ${ctx.host} failed: ${said(body)}.`, 'Try again later.', true)
    : err('xo-rejected', `${ctx.host} refused the request: ${said(body)}.`, VERSION_MISMATCH)
}
