import type { z } from 'zod'
import {
  fail,
  isMethodName,
  ok,
  type Input,
  type MethodName,
  type Output,
  type Result,
} from '@contract'
import { toAppError } from '../app-failure'

/** One function per method; each may throw `AppFailure` for an expected, explained failure. */
export type Handlers = {
  [M in MethodName]: (input: Input<M>, signal: AbortSignal) => Promise<Output<M>>
}

/** One input schema per method. A contract change without a schema change fails the build. */
export type Schemas = { [M in MethodName]: z.ZodType<Input<M>> }

/** Turns one untrusted (method, input) pair into a Result. Never throws. */
export type Dispatch = (
  method: unknown,
  input: unknown,
  signal: AbortSignal,
) => Promise<Result<unknown>>

/** The pure router shared by Electron's `ipcMain.handle`, the e2e harness and unit tests. */
export function createRouter(handlers: Handlers, schemas: Schemas): Dispatch {
  return async function dispatch(method, raw, signal) {
    if (!isMethodName(method)) {
      const shown = typeof method === 'string' ? method.slice(0, 80) : typeof method
      return fail(
        'invalid-input',
        `XO Desk refused an unknown request ("${shown}").`,
        'Restart XO Desk; if this happens again, report it as a bug.',
      )
    }
    const parsed = schemas[method].safeParse(raw)
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
        .join('; ')
      return fail(
        'invalid-input',
        `XO Desk refused a malformed "${method}" request (${where}).`,
        'Restart XO Desk; if this happens again, report it as a bug.',
      )
    }
    try {
      // The table lookup loses the per-method typing; the schema above made the input safe.
      const run = handlers[method] as (input: unknown, signal: AbortSignal) => Promise<unknown>
      return ok(await run(parsed.data, signal))
    } catch (err) {
      return { ok: false, error: toAppError(err) }
    }
  }
}

export type { MethodName }
