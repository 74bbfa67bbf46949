// Anything a compromised renderer could send: the router answers with a Result and lets only
// inputs that fit the contract reach a handler.
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { METHODS, type MethodName } from '@contract'
import { createRouter, type Handlers } from './router'
import { schemas } from './schemas'

describe('the router under arbitrary input', () => {
  it('never throws, and calls a handler only with input its schema accepts', async () => {
    const seen: [string, unknown][] = []
    const handlers = Object.fromEntries(
      Object.keys(METHODS).map((m) => [
        m,
        vi.fn(async (input: unknown) => void seen.push([m, input])),
      ]),
    ) as unknown as Handlers
    const dispatch = createRouter(handlers, schemas)
    const method = fc.oneof(
      fc.constantFrom(...(Object.keys(METHODS) as MethodName[])),
      fc.string(),
      fc.anything(),
    )
    await fc.assert(
      fc.asyncProperty(method, fc.anything(), async (m, input) => {
        const result = await dispatch(m, input, new AbortController().signal)
        expect(typeof result.ok).toBe('boolean')
        if (!result.ok) {
          expect(result.error.code).toBe('invalid-input')
          expect(result.error.message).not.toBe('')
        }
      }),
      { numRuns: 400 },
    )
    for (const [m, input] of seen)
      expect(schemas[m as MethodName].safeParse(input).success).toBe(true)
  })
})
