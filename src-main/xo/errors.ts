import type { AppError, ErrorCode } from '@contract'
import { AppFailure, toAppError } from '../app-failure'
import {
  MalformedResponseError,
  NotSignedInError,
  RedirectRefusedError,
  ResponseTooLargeError,
  TaskFailedError,
  XoResponseError,
  XoTimeoutError,
  type MalformedKind,
  type TimeoutPhase,
} from './failures'
import { explainHttp } from './http-errors'
import { errorCode } from './retry'
import { explainXapi } from './xapi-errors'

/** What the explanation may name: the server, how we authenticated, the object acted on. */
export interface XoErrorContext {
  /** `host[:port]` of the XO, shown in every message. */
  host: string
  credentials?: 'token' | 'basic' | 'none'
  /** The object the request was about. */
  target?: { collection: string; id: string }
  /** A display name for an object id (e.g. from the inventory); the id is shown otherwise. */
  nameOf?: (collection: string, id: string) => string | undefined
}

const err = (code: ErrorCode, message: string, action: string, retryable = false): AppError => ({
  code,
  message,
  action,
  retryable,
})

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`

function label(ctx: XoErrorContext, collection: string, id: string): string {
  return ctx.nameOf?.(collection, id) ?? id
}

/**
 * XO type → collection: the type lower-cased plus `s`, as XO builds hrefs
 * (@xen-orchestra/rest-api 0.39.0, dist/vms/vm.controller.mjs, dist/alarms/alarm.service.mjs).
 */
const collectionOfType = (type: string): string => `${type.toLowerCase()}s`

const hostnameOf = (host: string): string => host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')

// ── Network and TLS: the Node/undici error code decides ─────────────────────────────────────────

type CodeRule = (ctx: XoErrorContext, e: unknown) => AppError

const CUT = (ctx: XoErrorContext): AppError =>
  err(
    'unreachable',
    `The connection to ${ctx.host} closed before the answer was complete.`,
    'Try again; if it keeps happening, check XO and any proxy in between.',
    true,
  )
const NO_ROUTE = (ctx: XoErrorContext): AppError =>
  err(
    'unreachable',
    `${ctx.host} cannot be reached from this computer (no network route).`,
    'Check your network or VPN connection, then try again.',
    true,
  )
const UNTRUSTED = (ctx: XoErrorContext): AppError =>
  err(
    'tls-untrusted',
    `The certificate of ${ctx.host} is not trusted: it is self-signed or from an unknown authority.`,
    // True today: XO Desk has no trust-on-first-use yet, but Node honours NODE_EXTRA_CA_CERTS.
    'Give XO a certificate from an authority this computer trusts, or start XO Desk with NODE_EXTRA_CA_CERTS set to a PEM file of the authority that signed it.',
  )
const NOT_HTTPS = (ctx: XoErrorContext): AppError =>
  err(
    'not-xo',
    `${ctx.host} does not answer HTTPS on this port.`,
    `If XO is served over plain HTTP, type http://${ctx.host}; otherwise check the port.`,
  )

/** Both fingerprints of a certificate change, wherever undici wrapped the connector's error. */
function fingerprints(e: unknown): { pinned: string; presented: string } {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const c = cur as { pinned?: unknown; presented?: unknown; cause?: unknown }
    if (typeof c.pinned === 'string' && typeof c.presented === 'string') {
      return { pinned: c.pinned, presented: c.presented }
    }
    cur = c.cause
  }
  return { pinned: '(unknown)', presented: '(unknown)' }
}

const BY_CODE: Record<string, CodeRule> = {
  ENOTFOUND: (ctx) =>
    err(
      'unreachable',
      `The name ${hostnameOf(ctx.host)} could not be found (DNS lookup failed).`,
      'Check the spelling of the address, or your DNS or VPN connection.',
    ),
  EAI_AGAIN: (ctx) =>
    err(
      'unreachable',
      `The name ${hostnameOf(ctx.host)} could not be looked up right now (DNS temporarily failed).`,
      'Check your network connection, then try again.',
      true,
    ),
  ECONNREFUSED: (ctx) =>
    err(
      'unreachable',
      `${ctx.host} refused the connection: nothing is listening on that port.`,
      'Check the port in the address, and that XO is running.',
      true,
    ),
  ECONNRESET: CUT,
  EPIPE: CUT,
  UND_ERR_SOCKET: CUT,
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: CUT,
  EHOSTUNREACH: NO_ROUTE,
  ENETUNREACH: NO_ROUTE,
  ENETDOWN: NO_ROUTE,
  UND_ERR_ABORTED: () => CANCELLED,
  UND_ERR_DESTROYED: () => CANCELLED,
  UND_ERR_CLOSED: () => CANCELLED,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_REJECTED: UNTRUSTED,
  CERT_SIGNATURE_FAILURE: UNTRUSTED,
  CERT_HAS_EXPIRED: (ctx) =>
    err(
      'tls-expired',
      `The certificate of ${ctx.host} has expired.`,
      "Ask the XO administrator to renew it, and check this computer's date and time.",
    ),
  CERT_NOT_YET_VALID: (ctx) =>
    err(
      'tls-expired',
      `The certificate of ${ctx.host} is not valid yet.`,
      "Check this computer's date and time.",
    ),
  ERR_TLS_CERT_ALTNAME_INVALID: (ctx, e) => {
    const names = (e as { cert?: { subjectaltname?: string } }).cert?.subjectaltname
    return err(
      'tls-hostname',
      `The certificate of ${ctx.host} was issued for another name${names ? ` (${names})` : ''}.`,
      'Connect with a name the certificate covers, or ask the XO administrator to add this one.',
    )
  },
  // Raised by the pinned connector (src-main/tls/trust.ts) before any request byte is sent.
  ERR_XO_CERT_CHANGED: (ctx, e) =>
    err(
      'tls-changed',
      `The certificate of ${ctx.host} changed since you trusted it: it was ${fingerprints(e).pinned}, it is now ${fingerprints(e).presented}. Nothing was sent to the server.`,
      'Do not connect until your XO administrator confirms that the certificate was replaced.',
    ),
  ERR_SSL_WRONG_VERSION_NUMBER: NOT_HTTPS,
  // Writing a download to a full disk (fs write, Node's ENOSPC): nothing is wrong with XO.
  ENOSPC: () =>
    err(
      'disk-full',
      'The disk the file is written to is full.',
      'Free some space there or choose another folder, then try again.',
    ),
  ERR_SSL_PACKET_LENGTH_TOO_LONG: NOT_HTTPS,
}

const CANCELLED = err('cancelled', 'The request was cancelled.', 'Start it again when ready.', true)

const TIMEOUTS: Record<TimeoutPhase, (ctx: XoErrorContext, ms: number) => AppError> = {
  connect: (ctx, ms) =>
    err(
      'timeout',
      `Could not connect to ${ctx.host} within ${seconds(ms)}.`,
      'Check the address and your network, and that XO is running.',
      true,
    ),
  headers: (ctx, ms) =>
    err(
      'timeout',
      `${ctx.host} did not answer within ${seconds(ms)}.`,
      'XO may be busy; try again in a moment.',
      true,
    ),
  idle: (ctx, ms) =>
    err(
      'timeout',
      `${ctx.host} stopped sending data for ${seconds(ms)}.`,
      'Try again; if it keeps happening, check the network and the load of XO.',
      true,
    ),
  total: (ctx, ms) =>
    err(
      'timeout',
      `The request to ${ctx.host} took longer than ${seconds(ms)} and was stopped.`,
      'Try again; for a large list, narrow it with a filter.',
      true,
    ),
}

const MALFORMED: Record<MalformedKind, (ctx: XoErrorContext, detail: string) => AppError> = {
  'content-type': (ctx, type) =>
    err(
      'not-xo',
      `${ctx.host} answered with ${/html/i.test(type) ? 'a web page' : `"${type}"`} where XO's REST API answers JSON: this address is not XO's REST API (a proxy login page, or the wrong port?).`,
      'Check the address: type the XO web address, e.g. https://xo.example.net.',
    ),
  'line-too-long': (ctx) =>
    err(
      'not-xo',
      `${ctx.host} sent a stream that is not XO's NDJSON (a line over 16 MiB).`,
      'Check the address: type the XO web address, e.g. https://xo.example.net.',
    ),
  json: (ctx) =>
    err(
      'xo-failed',
      `The answer of ${ctx.host} was cut or garbled (invalid JSON).`,
      'Try again; if it keeps happening, check any proxy in between.',
      true,
    ),
  'ndjson-line': (ctx) =>
    err(
      'xo-failed',
      `The list sent by ${ctx.host} was cut or garbled (an invalid line).`,
      'Try again; if it keeps happening, check any proxy in between.',
      true,
    ),
}

function explainTask(e: TaskFailedError, ctx: XoErrorContext): AppError {
  const { task } = e
  const props = task.properties
  const subject =
    typeof props.objectId === 'string'
      ? label(ctx, collectionOfType(props.objectType ?? 'vm'), props.objectId)
      : 'The object'
  const what = props.name?.replace(/^REST API: /, '') ?? 'the task'
  if (task.status === 'interrupted') {
    return err(
      'xo-failed',
      `"${what}" was interrupted on ${ctx.host}: XO restarted while it ran.`,
      'Check the state of the object, then try again.',
      true,
    )
  }
  const result = (task.result ?? {}) as { code?: unknown; params?: unknown; message?: unknown }
  if (typeof result.code === 'string' && Array.isArray(result.params)) {
    const x = explainXapi({ code: result.code, params: result.params.map(String) }, subject)
    return err('xo-failed', `"${what}" failed on ${ctx.host}: ${x.message}`, x.action, x.retryable)
  }
  const message = typeof result.message === 'string' ? result.message : 'no reason given'
  return err(
    'xo-failed',
    `"${what}" failed on ${ctx.host}: ${message}.`,
    'Check the object in XO, then try again.',
  )
}

/** The readable error for a failure XO Desk knows, or undefined for an unexpected one (a bug). */
export function explainXoFailure(e: unknown, ctx: XoErrorContext): AppError | undefined {
  if (e instanceof AppFailure) return e.appError
  if (e instanceof Error && e.name === 'AbortError') return CANCELLED
  if (e instanceof XoTimeoutError) return TIMEOUTS[e.phase](ctx, e.ms)
  if (e instanceof Error && e.name === 'TimeoutError') {
    // The caller's own deadline, e.g. `AbortSignal.timeout()` around an IPC request.
    return err(
      'timeout',
      `The request to ${ctx.host} took too long and was stopped.`,
      'Try again; XO may be busy.',
      true,
    )
  }
  if (e instanceof XoResponseError) return explainHttp(e, ctx)
  if (e instanceof MalformedResponseError) return MALFORMED[e.kind](ctx, e.detail)
  if (e instanceof TaskFailedError) return explainTask(e, ctx)
  if (e instanceof NotSignedInError)
    return err('auth-invalid', `You are not signed in to ${ctx.host}.`, `Sign in to ${ctx.host}.`)
  if (e instanceof ResponseTooLargeError) {
    return err(
      'xo-failed',
      `The answer of ${ctx.host} is larger than ${e.limitBytes / 1024 / 1024} MB, more than XO Desk reads at once.`,
      'Ask for fewer fields or filter the list; if it keeps happening, report it.',
    )
  }
  if (e instanceof RedirectRefusedError) {
    return err(
      'not-xo',
      `${ctx.host} redirected the request to ${e.location}; XO Desk did not send your credentials there.`,
      "Check the address: use the XO server's own address.",
    )
  }
  const code = errorCode(e)
  // undici's parser errors do not always carry their HPE_ code (seen with a lone NUL byte).
  const unparsable =
    (e as { name?: unknown }).name === 'HTTPParserError' || code?.startsWith('HPE_')
  if (code === undefined && !unparsable) return undefined
  const rule = code === undefined ? undefined : BY_CODE[code]
  if (rule) return rule(ctx, e)
  if (unparsable) {
    return err(
      'not-xo',
      `${ctx.host} answered something that is not valid HTTP.`,
      "Check the port: it should be XO's web port (usually 443).",
    )
  }
  if (code === undefined) return undefined
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_')) {
    return err(
      'unreachable',
      `The secure connection to ${ctx.host} could not be set up (${code}).`,
      'Check the address and port, and that XO serves HTTPS there.',
    )
  }
  return undefined
}

/** Every failure of a request to XO as the `AppError` the user sees (unexpected ones: `internal`). */
export function toXoAppError(e: unknown, ctx: XoErrorContext): AppError {
  return explainXoFailure(e, ctx) ?? toAppError(e)
}

/** The failure to throw: an `AppFailure` when explained, else the original error (logged as a bug). */
export function toXoFailure(e: unknown, ctx: XoErrorContext): unknown {
  if (e instanceof AppFailure) return e
  const explained = explainXoFailure(e, ctx)
  if (!explained) return e
  return new XoFailure(explained, e instanceof XoResponseError ? e.status : undefined)
}

/** An explained failure of a request to XO; `status` is the HTTP status when XO answered. */
export class XoFailure extends AppFailure {
  constructor(
    error: AppError,
    readonly status?: number,
  ) {
    super(error.code, error.message, error.action, error.retryable)
  }
}
