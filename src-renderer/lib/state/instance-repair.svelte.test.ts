import type { InstanceSummary } from '@contract'
import { describe, expect, it } from 'vitest'
import { problemOf, timeLeft } from './instance-repair.svelte'

const NOW = Date.UTC(2026, 11, 1)
const DAY = 24 * 3600_000
const instance = (overrides: Partial<InstanceSummary> = {}): InstanceSummary => ({
  id: 'prod',
  label: 'Production',
  url: 'https://xo.prod/rest/v0',
  kind: 'xo',
  live: { instanceId: 'prod', state: 'live' },
  ...overrides,
})
const stopped = (code: 'auth-expired' | 'tls-changed' | 'unreachable') =>
  instance({
    live: {
      instanceId: 'prod',
      state: 'stopped',
      error: { code, message: 'm', action: 'a', retryable: false },
    },
  })

describe('what the admin is asked to repair', () => {
  it('asks to sign in again when XO refused the token, and to decide on a changed certificate', () => {
    expect(problemOf(stopped('auth-expired'), NOW)).toBe('sign-in')
    expect(problemOf(stopped('tls-changed'), NOW)).toBe('certificate')
    expect(problemOf(stopped('unreachable'), NOW)).toBeUndefined()
  })

  it('warns a week before the token expires, not earlier', () => {
    expect(problemOf(instance({ tokenExpiresAt: NOW + 3 * DAY }), NOW)).toBe('expiring')
    expect(problemOf(instance({ tokenExpiresAt: NOW + 30 * DAY }), NOW)).toBeUndefined()
  })

  it('never asks anything for the Demo lab', () => {
    expect(problemOf({ ...stopped('auth-expired'), kind: 'demo' }, NOW)).toBeUndefined()
  })

  it('says how long is left in the unit that reads best', () => {
    expect(timeLeft(NOW + 3 * DAY, NOW)).toBe('in 3 days')
    expect(timeLeft(NOW + 5 * 3600_000, NOW)).toBe('in 5 hours')
    expect(timeLeft(NOW + 12 * 60_000, NOW)).toBe('in 12 minutes')
  })
})
