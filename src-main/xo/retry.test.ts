import { describe, expect, it } from 'vitest'
import { backoffMs, DEFAULT_RETRY, isIdempotent, parseRetryAfter, sleep } from './retry'

describe('when to try again', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0) // already past
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('waits a random time that grows with each attempt, never above the cap', () => {
    const policy = { ...DEFAULT_RETRY, baseMs: 100, maxMs: 1000 }
    expect(backoffMs(policy, 1, () => 0.999)).toBe(99)
    expect(backoffMs(policy, 3, () => 0.999)).toBe(399)
    expect(backoffMs(policy, 10, () => 0.999)).toBe(999)
    expect(backoffMs(policy, 2, () => 0)).toBe(0) // full jitter: anywhere from zero
  })

  it('retries only requests whose repetition is harmless', () => {
    expect(['GET', 'HEAD', 'PUT', 'DELETE'].every(isIdempotent)).toBe(true)
    expect(['POST', 'PATCH'].some(isIdempotent)).toBe(false)
  })

  it('stops waiting when cancelled', async () => {
    const abort = new AbortController()
    const waiting = sleep(60_000, abort.signal)
    abort.abort()
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
  })
})
