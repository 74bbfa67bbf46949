import type { AppError } from '@contract'
import type { CliIo } from './run'

/** A failure on stderr, what happened then what to do, with exit code 1. */
export function explain(io: CliIo, error: AppError): number {
  io.stderr(`xo-desk: ${error.message}\n${error.action}\n`)
  return 1
}

/** A command line that cannot run as written: the problem, then the command's usage; exit code 2. */
export function usageError(io: CliIo, problem: string, usage: string): number {
  io.stderr(`xo-desk: ${problem}\n\n${usage}`)
  return 2
}
