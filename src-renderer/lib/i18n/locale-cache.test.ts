import { afterEach, describe, expect, it, vi } from 'vitest'
import { m } from '../../paraglide/messages.js'
import { getLocale, setLocale } from '../../paraglide/runtime.js'
import { formatBytes } from '../format/bytes'
import { cacheLocale } from './locale-cache'

afterEach(() => {
  void setLocale('en', { reload: false })
  vi.restoreAllMocks()
})

describe('the cached app language', () => {
  it('still switches every message and number when the admin picks another language', () => {
    cacheLocale()
    void setLocale('fr', { reload: false })
    expect(getLocale()).toBe('fr')
    expect(m.tasks_title()).toBe('Tâches')
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1,5 GiB')
    void setLocale('en', { reload: false })
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB')
  })

  it('formats a message without reading the page address again', () => {
    cacheLocale()
    const href = vi.spyOn(window, 'location', 'get')
    for (let i = 0; i < 100; i++) m.tasks_title()
    expect(href).not.toHaveBeenCalled()
  })
})
