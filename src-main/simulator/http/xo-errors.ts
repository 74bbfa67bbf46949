/**
 * XO's errors as the REST API sends them: status, headers and the `{error, data?, info?}` body
 * (GUIDE §7). Handlers throw these; the server writes them.
 */

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

/** An XAPI failure (e.g. VM_BAD_POWER_STATE): 500 with `info` (GUIDE §7.3), or a task's `result` (§5.3). */
export class XapiError extends Error {
  constructor(
    readonly code: string,
    readonly params: string[],
  ) {
    super(`${code}(${params.join(', ')})`)
    this.name = 'XapiError'
  }
}

const XAPI_INFO = 'This is a XenServer/XCP-ng error, not an XO error'

/** Field errors as tsoa reports them: `{ "<param>" | "body" | "body.<prop>": {message, value?} }`. */
export type FieldErrors = Record<string, { message: string; value?: unknown }>

/** The XO error factories the simulator needs (xo-common api-errors, GUIDE §7.3). */
export const xoError = {
  invalidCredentials: () =>
    new XoHttpError(
      401,
      { error: 'invalid credentials' },
      { 'WWW-Authenticate': 'Basic realm="xo"' },
    ),
  noSuchObject: (id: string, type: string) =>
    new XoHttpError(404, { error: `no such ${type} ${id}`, data: { id, type } }),
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
  /** tsoa validation failure: the field map is the *message*, so it lands in `error` (GUIDE §7.2). */
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

/** A failure as a task's `result` shows it (GUIDE §5.3): own properties, message, name, stack. */
export function serializeTaskError(err: unknown): Record<string, unknown> {
  if (err instanceof XapiError) {
    return {
      code: err.code,
      params: err.params,
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
