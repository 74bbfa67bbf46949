import { describe, expect, it } from 'vitest'
import { formatBytes } from './bytes'

describe('formatBytes', () => {
  it('shows memory sizes in binary units as XCP-ng does', () => {
    expect(formatBytes(4 * 1024 ** 3)).toBe('4 GiB')
    expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB')
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB')
    expect(formatBytes(1000)).toBe('1000 B')
  })

  it('shows a dash for an unknown size', () => {
    expect(formatBytes(undefined)).toBe('—')
    expect(formatBytes(Number.NaN)).toBe('—')
  })
})
