/**
 * Errors cross IPC as values, never as thrown exceptions: `ipcMain.handle` keeps only an
 * exception's message, while a user needs to know what happened *and* what to do next.
 */

/** Every kind of failure the UI and the CLI know how to explain. */
export type ErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'tls-untrusted'
  | 'tls-changed'
  | 'tls-expired'
  | 'tls-hostname'
  | 'auth-invalid'
  | 'auth-expired'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'xo-rejected'
  | 'xo-failed'
  | 'not-xo'
  | 'rate-limited'
  | 'keychain-unavailable'
  | 'keychain-locked'
  | 'disk-full'
  | 'corrupt-file'
  | 'cancelled'
  | 'invalid-input'
  | 'internal'

/** A failure as shown to the user: what happened, and what to do next. */
export interface AppError {
  code: ErrorCode
  /** What happened, in one sentence: "Could not reach xo.lab.local:443." */
  message: string
  /** What to do next, in one sentence: "Check the address, or that the XO server is running." */
  action: string
  /** True when trying the same thing again may succeed without changing anything. */
  retryable: boolean
}

/** The outcome of every request the renderer makes. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

/** A successful Result. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

/** A failed Result carrying a readable error. */
export function fail(
  code: ErrorCode,
  message: string,
  action: string,
  retryable = false,
): { ok: false; error: AppError } {
  return { ok: false, error: { code, message, action, retryable } }
}
