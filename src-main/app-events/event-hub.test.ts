import { describe, expect, it, vi } from 'vitest'
import { EventHub } from './event-hub'

describe('EventHub', () => {
  it('delivers each published event to every subscriber until it unsubscribes', () => {
    const hub = new EventHub()
    const a = vi.fn()
    const b = vi.fn()
    const stopA = hub.subscribe(a)
    hub.subscribe(b)
    hub.publish('app.heartbeat', { at: 1, sequence: 1 })
    stopA()
    hub.publish('app.heartbeat', { at: 2, sequence: 2 })
    expect(a).toHaveBeenCalledTimes(1)
    expect(b).toHaveBeenCalledTimes(2)
    expect(b).toHaveBeenLastCalledWith('app.heartbeat', { at: 2, sequence: 2 })
    expect(hub.size).toBe(1)
  })
})
