import type { AppError, ErrorCode } from '@contract'

/**
 * An expected failure inside main, carrying the readable error the user will see.
 * Services throw it; the router turns it back into a `Result` value before it crosses IPC.
 */
export class AppFailure extends Error {
  readonly appError: AppError

  constructor(code: ErrorCode, message: string, action: string, retryable = false) {
    super(message)
    this.name = 'AppFailure'
    this.appError = { code, message, action, retryable }
  }
}

/** Any thrown value as a readable error; unexpected ones become `internal` and keep their stack in main's log. */
export function toAppError(err: unknown, log: (msg: string) => void = console.error): AppError {
  if (err instanceof AppFailure) return err.appError
  if (err instanceof Error && err.name === 'AbortError') {
    return {
      code: 'cancelled',
      message: 'The operation was cancelled.',
      action: 'Start it again when you are ready.',
      retryable: true,
    }
  }
  log(`XO Desk internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  return {
    code: 'internal',
    message: 'XO Desk hit an unexpected error.',
    // Main's log goes to the standard error of the process (src-main/log.ts): say where it is.
    action:
      'Try again; if it happens again, report it with what you did and the log XO Desk printed in the terminal that started it.',
    retryable: false,
  }
}
