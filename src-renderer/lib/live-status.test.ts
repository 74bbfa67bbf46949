import type { ConnectionState } from '@contract'
import { describe, expect, it } from 'vitest'
import { canAct } from './live-status'

const at = (state: ConnectionState['state'], more: Partial<ConnectionState> = {}) => ({
  instanceId: 'i',
  state,
  ...more,
})

describe('when VM actions are offered', () => {
  it('offers them on a live instance, and while it first connects', () => {
    expect(canAct(at('live'))).toBe(true)
    expect(canAct(at('connecting'))).toBe(true)
  })
  it('withholds them while the list is the last known one from disk', () => {
    expect(canAct(at('connecting', { stale: { since: 1 } }))).toBe(false)
    expect(canAct(at('reconnecting', { stale: { since: 1 } }))).toBe(false)
  })
  it('withholds them while the connection is down', () => {
    expect(canAct(at('reconnecting'))).toBe(false)
    expect(canAct(at('stopped'))).toBe(false)
  })
})
