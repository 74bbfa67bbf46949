/**
 * XO's errors as the REST API sends them: status, headers and the `{error, data?, info?}` body
 * (@xen-orchestra/rest-api 0.39.0, dist/middlewares/generic-error-handler.middleware.mjs).
 * Handlers throw these; the server writes them.
 */
import { randomUUID } from 'node:crypto'

export type XoErrorBody = { error: unknown; data?: unknown; info?: string }

export class XoHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: XoErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.error === 'string' ? body.error : 'invalid parameters')
    this.name = 'XoHttpError'
  }
}

/**
 * An XAPI failure (e.g. VM_BAD_POWER_STATE): 500 with `info` (docs/xo-rest-api.md#errors), or a
 * task's `result` (docs/xo-rest-api.md#actions-and-tasks).
 */
export class XapiError extends Error {
  /**
   * Set by xen-api when a synchronous XAPI call fails: the method and its arguments, session id
   * left out (vatesfr/xen-orchestra, packages/xen-api, `_call`), and how long it took, as in
   * @xen-orchestra/rest-api 0.39.0, dist/open-api/oa-examples/pool.oa-example.mjs.
   */
  call?: { duration: number; method: string; params: unknown[] }
  /** Set instead when an `Async.*` call's XAPI task failed: that task's record (`getTaskResult`). */
  task?: Record<string, unknown>

  constructor(
    readonly code: string,
    readonly params: string[],
  ) {
    super(`${code}(${params.join(', ')})`)
    this.name = 'XapiError'
  }
}

/** An XAPI call XO makes: with `call` (answered at once) or with `callAsync` (through an XAPI task). */
export interface XapiCall {
  method: string
  /** The arguments after the session id. */
  params: unknown[]
  async: boolean
}

/** XAPI's DateTime, as task records carry it: `20250102T03:04:05Z`. */
const xapiDate = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/-/g, '')
    .replace(/\.\d+Z$/, 'Z')

/**
 * Marks an XAPI failure with the call it came from, as xen-api does before XO serialises it into
 * the task's `result`: a synchronous call gets `call` (method, arguments, how long it took), an
 * `Async.*` one the failed record of its XAPI task (vatesfr/xen-orchestra, packages/xen-api:
 * `_call`, `_getTaskResult.mjs`). Other errors pass unchanged.
 */
export function fromXapiCall(
  err: unknown,
  via: XapiCall,
  span: { started: number; ended: number; host: string },
): unknown {
  if (!(err instanceof XapiError) || err.call || err.task) return err
  if (!via.async) {
    err.call = { duration: span.ended - span.started, method: via.method, params: via.params }
    return err
  }
  err.task = {
    uuid: randomUUID(),
    name_label: `Async.${via.method}`,
    name_description: '',
    allowed_operations: [],
    current_operations: {},
    created: xapiDate(span.started),
    finished: xapiDate(span.ended),
    status: 'failure',
    resident_on: span.host,
    progress: 1,
    type: '<none/>',
    result: '',
    error_info: [err.code, ...err.params],
    other_config: {},
    subtask_of: 'OpaqueRef:NULL',
    subtasks: [],
    backtrace: '()',
  }
  return err
}

const XAPI_INFO = 'This is a XenServer/XCP-ng error, not an XO error'

/** Field errors as tsoa reports them: `{ "<param>" | "body" | "body.<prop>": {message, value?} }`. */
export type FieldErrors = Record<string, { message: string; value?: unknown }>

/** The XO error factories the simulator needs (xo-common api-errors, docs/xo-rest-api.md#errors). */
export const xoError = {
  invalidCredentials: () =>
    new XoHttpError(
      401,
      { error: 'invalid credentials' },
      { 'WWW-Authenticate': 'Basic realm="xo"' },
    ),
  /** `id` is whatever the caller sent, not always a string (xo-server's `getObject`). */
  noSuchObject: (id: unknown, type: string) =>
    new XoHttpError(404, { error: `no such ${type} ${String(id)}`, data: { id, type } }),
  notEnoughPermissions: () =>
    new XoHttpError(403, { error: 'not enough permissions', data: { object: {} } }),
  notEnoughPrivileges: (missing: { objectId?: string; action: string; resource: string }[]) =>
    new XoHttpError(403, { error: 'not enough privileges', data: { missingPrivileges: missing } }),
  forbiddenOperation: (operation: string, reason: string) =>
    new XoHttpError(403, {
      error: `forbidden operation: ${operation}`,
      data: { operation, reason },
    }),
  featureUnauthorized: (featureCode: string) =>
    new XoHttpError(403, {
      error: 'feature Unauthorized',
      data: { featureCode, currentPlan: 'free', minPlan: 'enterprise' },
    }),
  incorrectState: (data: {
    actual: unknown
    expected: unknown
    object: string
    property: string
  }) => new XoHttpError(409, { error: 'incorrect state', data }),
  objectAlreadyExists: (objectId: string, objectType: string) =>
    new XoHttpError(409, { error: `${objectType} already exists`, data: { objectId, objectType } }),
  /**
   * tsoa validation failure: the field map is the *message*, so it lands in `error`
   * (@xen-orchestra/rest-api 0.39.0, dist/middlewares/tsoa-to-xo-error.middleware.mjs).
   */
  invalidFields: (fields: FieldErrors) => new XoHttpError(422, { error: fields, data: {} }),
  invalidParameters: (message: string, data: unknown = {}) =>
    new XoHttpError(422, { error: message, data }),
  notImplemented: () => new XoHttpError(501, { error: 'not implemented' }),
  serviceUnavailable: (serviceName: string) =>
    new XoHttpError(503, { error: 'service unavailable', data: { serviceName } }),
  /** XO's REST-only ApiError: its own status and message. */
  api: (status: number, message: string, data?: unknown) =>
    new XoHttpError(status, data === undefined ? { error: message } : { error: message, data }),
  /** A plain Error thrown inside XO: 500 with its message. */
  plain: (message: string) => new XoHttpError(500, { error: message }),
}

/** Any thrown value as XO's generic error handler would answer it. */
export function toXoHttpError(err: unknown): XoHttpError {
  if (err instanceof XoHttpError) return err
  if (err instanceof XapiError) return new XoHttpError(500, { error: err.message, info: XAPI_INFO })
  if (err instanceof Error) return new XoHttpError(500, { error: err.message })
  return new XoHttpError(500, { error: err as never })
}

/**
 * A failure as a task's `result` shows it (docs/xo-rest-api.md#actions-and-tasks): own properties,
 * message, name, stack.
 */
export function serializeTaskError(err: unknown): Record<string, unknown> {
  if (err instanceof XapiError) {
    // Own properties first, as XO spreads the error (`{...error, message, name, stack}`).
    return {
      code: err.code,
      params: err.params,
      ...(err.call ? { call: err.call } : {}),
      ...(err.task ? { task: err.task } : {}),
      message: err.message,
      name: 'XapiError',
      stack: `XapiError: ${err.message}`,
    }
  }
  if (err instanceof XoHttpError) {
    const data = err.body.data
    return { data, message: err.message, name: 'Error', stack: `Error: ${err.message}` }
  }
  const e = err instanceof Error ? err : new Error(String(err))
  return { message: e.message, name: e.name, stack: e.stack ?? e.message }
}
