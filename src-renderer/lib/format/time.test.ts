import { describe, expect, it } from 'vitest'
import { age } from './time'

describe('how old the data shown is', () => {
  const now = Date.UTC(2026, 11, 3, 14, 0)
  it.each([
    [20_000, 'just now'],
    [5 * 60_000, '5 min ago'],
    [3 * 3_600_000 + 59 * 60_000, '3 h ago'],
    [47 * 3_600_000, '47 h ago'],
    [3 * 86_400_000, '3 days ago'],
    [-60_000, 'just now'], // a clock set back: never "in the future"
  ])('%i ms ago reads "%s"', (ago, text) => {
    expect(age(now - ago, now)).toBe(text)
  })
})
