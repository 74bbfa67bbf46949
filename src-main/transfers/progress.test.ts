import { describe, expect, it } from 'vitest'
import { ProgressMeter, type TransferProgress } from './progress'

function meter(intervalMs = 250) {
  let now = 0
  const reports: TransferProgress[] = []
  const m = new ProgressMeter({ intervalMs, now: () => now, onProgress: (p) => reports.push(p) })
  return { m, reports, tick: (ms: number) => (now += ms) }
}

describe('ProgressMeter', () => {
  it('reports at most once per interval, with the final report always sent', () => {
    const { m, reports, tick } = meter()
    m.start(1, 10_000)
    for (let i = 0; i < 100; i++) {
      tick(10)
      m.add(100)
    }
    m.finish()
    // 1 s of adds at 10 ms each: the start, 4 throttled reports, the end.
    expect(reports.length).toBe(6)
    expect(reports.at(-1)).toMatchObject({ bytes: 10_000, total: 10_000, done: true })
  })

  it('gives the rate and the time left when the total is known', () => {
    const { m, reports, tick } = meter()
    m.start(1, 100_000)
    for (let i = 0; i < 4; i++) {
      tick(250)
      m.add(2500)
    }
    const last = reports.at(-1)
    expect(last?.rate).toBe(10_000)
    expect(last?.secondsLeft).toBe(9)
  })

  it('has no time left without a total, and starts over on a new attempt', () => {
    const { m, reports, tick } = meter()
    m.start(1, undefined)
    tick(300)
    m.add(5000)
    expect(reports.at(-1)?.secondsLeft).toBeUndefined()
    m.start(2, undefined)
    expect(reports.at(-1)).toMatchObject({ attempt: 2, bytes: 0, rate: 0 })
  })
})
