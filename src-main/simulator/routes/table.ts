import { OPERATIONS } from '../generated/operations'
import type { Handler } from '../http/context'
import { operationKey } from '../http/route-table'

const KNOWN = new Set(OPERATIONS.map(operationKey))

/** Handlers by `"METHOD /path"`; registering a route the spec does not have is a programming error. */
export class HandlerTable {
  readonly #handlers = new Map<string, Handler>()

  on(method: string, path: string, handler: Handler): void {
    const key = `${method} ${path}`
    if (!KNOWN.has(key)) throw new Error(`the spec has no operation ${key}`)
    if (this.#handlers.has(key)) throw new Error(`two handlers for ${key}`)
    this.#handlers.set(key, handler)
  }

  /** Registers `handler` for every operation whose method and path match. */
  onEvery(method: string, pathPattern: RegExp, handler: Handler): void {
    for (const op of OPERATIONS) {
      if (
        op.method === method &&
        pathPattern.test(op.path) &&
        !this.#handlers.has(operationKey(op))
      ) {
        this.#handlers.set(operationKey(op), handler)
      }
    }
  }

  get(key: string): Handler | undefined {
    return this.#handlers.get(key)
  }

  /** Operations of the spec that have no handler (must be none: a test checks it). */
  missing(): string[] {
    return [...KNOWN].filter((key) => !this.#handlers.has(key))
  }
}
