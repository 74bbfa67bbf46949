import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AppError, ObjectStats, Result, StatsGranularity, XoBridge } from '@contract'
import { ObjectStatsState } from './object-stats.svelte'

const REF = { instanceId: 'demo', collection: 'vms', id: 'vm-1' } as const

const statsOf = (granularity: StatsGranularity, value = 1): ObjectStats => ({
  granularity,
  interval: 5,
  timestamps: [1000],
  charts: [{ kind: 'cpu', unit: 'percent', series: [{ key: 'cpu0', values: [value] }] }],
})

const halted: AppError = {
  code: 'conflict',
  message: 'web-01 is halted: XO keeps no stats for a halted VM.',
  action: 'Start it to see its graphs.',
  retryable: false,
}

/** A bridge whose answers the test releases one by one; it records what was asked. */
function fakeBridge() {
  const waiting: { granularity: string; answer: (r: Result<ObjectStats>) => void }[] = []
  const asked: string[] = []
  const invoke = vi.fn(
    (_method: string, input: { granularity: string }) =>
      new Promise<Result<ObjectStats>>((resolve) => {
        asked.push(input.granularity)
        waiting.push({ granularity: input.granularity, answer: resolve })
      }),
  )
  const bridge = { invoke, on: vi.fn(() => () => undefined) } as unknown as XoBridge
  /** Answers the oldest open request; by default with stats of the granularity it asked. */
  async function answer(result?: (granularity: StatsGranularity) => Result<ObjectStats>) {
    const next = waiting.shift()
    if (!next) throw new Error('no request in flight')
    const g = next.granularity as StatsGranularity
    next.answer(result ? result(g) : { ok: true, value: statsOf(g) })
    await vi.advanceTimersByTimeAsync(0)
  }
  return { bridge, asked, answer, inFlight: () => waiting.length }
}

describe('ObjectStatsState', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('reads the last 10 minutes at once, then again every 5 s until stopped', async () => {
    const { bridge, asked, answer } = fakeBridge()
    const state = new ObjectStatsState(bridge, REF)
    const stop = state.start()
    expect(state.loading).toBe(true)
    await answer()
    expect(state.stats?.granularity).toBe('seconds')
    expect(state.loading).toBe(false)

    await vi.advanceTimersByTimeAsync(5_000)
    await answer()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(asked).toEqual(['seconds', 'seconds', 'seconds'])
    await answer()

    stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(asked).toHaveLength(3)
  })

  it('reads hourly stats once an hour', async () => {
    const { bridge, asked, answer } = fakeBridge()
    const state = new ObjectStatsState(bridge, REF)
    state.setGranularity('hours')
    const stop = state.start()
    await answer()
    await vi.advanceTimersByTimeAsync(59 * 60_000)
    expect(asked).toEqual(['hours'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(asked).toEqual(['hours', 'hours'])
    stop()
  })

  it('never has two requests in flight, however slow XO answers', async () => {
    const { bridge, asked, inFlight, answer } = fakeBridge()
    const state = new ObjectStatsState(bridge, REF)
    const stop = state.start()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(inFlight()).toBe(1)
    state.setGranularity('minutes')
    state.setGranularity('hours')
    expect(inFlight()).toBe(1)
    await answer()
    expect(inFlight()).toBe(1)
    expect(asked).toEqual(['seconds', 'hours'])
    stop()
  })

  it('drops an answer that arrives after the granularity changed', async () => {
    const { bridge, answer } = fakeBridge()
    const state = new ObjectStatsState(bridge, REF)
    const stop = state.start()
    state.setGranularity('days')
    await answer() // the seconds answer, asked before the change
    expect(state.stats).toBeUndefined()
    await answer()
    expect(state.stats?.granularity).toBe('days')
    stop()
  })

  it('shows why XO has no stats, and the graphs once it has them again', async () => {
    const { bridge, answer } = fakeBridge()
    const state = new ObjectStatsState(bridge, REF)
    const stop = state.start()
    await answer(() => ({ ok: false, error: halted }))
    expect(state.error).toEqual(halted)
    expect(state.stats).toBeUndefined()

    await vi.advanceTimersByTimeAsync(5_000)
    await answer()
    expect(state.error).toBeUndefined()
    expect(state.stats?.charts[0]?.kind).toBe('cpu')
    stop()
  })
})
