import { afterEach, describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen } from '@testing-library/svelte'
import type { BrowserPrefs, XoBridge } from '@contract'
import { m } from '../../paraglide/messages.js'
import { setLocale } from '../../paraglide/runtime.js'
import LanguageSelect from '../../components/LanguageSelect.svelte'
import { LocaleState, systemLocale } from './locale.svelte'

const prefs = (locale: BrowserPrefs['locale']): BrowserPrefs => ({
  locale,
  density: 'comfortable',
  columns: {},
  searches: [],
})

/** A bridge whose `prefs.get` answers `saved` (or fails like main's stub when undefined). */
function fakeBridge(saved?: BrowserPrefs['locale']) {
  const invoke = vi.fn(async (method: string, input: unknown) => {
    if (method === 'prefs.set')
      return { ok: true, value: { ...prefs('system'), ...(input as object) } }
    if (saved) return { ok: true, value: prefs(saved) }
    return {
      ok: false,
      error: { code: 'internal', message: 'Not yet.', action: 'Later.', retryable: false },
    }
  })
  return { bridge: { invoke } as unknown as XoBridge, invoke }
}

afterEach(() => {
  void setLocale('en', { reload: false })
  document.documentElement.lang = 'en'
})

describe('the app language', () => {
  it('follows a French OS when nothing is saved yet', async () => {
    const { bridge } = fakeBridge()
    const locale = new LocaleState(
      () => bridge,
      () => ['fr-FR', 'en-US'],
    )
    await locale.load()
    expect(locale.current).toBe('fr')
    expect(document.documentElement.lang).toBe('fr')
    expect(m.welcome_title()).toBe('Bienvenue dans XO Desk')
  })

  it('falls back to English for an OS language XO Desk does not speak', () => {
    expect(systemLocale(['de-DE'])).toBe('en')
    expect(systemLocale([])).toBe('en')
    expect(systemLocale(['fr-CA'])).toBe('fr')
  })

  it('keeps the language saved in the settings over the OS one', async () => {
    const { bridge } = fakeBridge('en')
    const locale = new LocaleState(
      () => bridge,
      () => ['fr-FR'],
    )
    await locale.load()
    expect(locale.choice).toBe('en')
    expect(m.welcome_title()).toBe('Welcome to XO Desk')
  })

  it('still starts, in the OS language, when main cannot answer at all', async () => {
    const bridge = { invoke: vi.fn(async () => Promise.reject(new Error('no prefs'))) }
    const locale = new LocaleState(
      () => bridge as unknown as XoBridge,
      () => ['fr'],
    )
    await locale.load()
    expect(locale.current).toBe('fr')
  })

  it('switches at once when picked in the language menu, and saves the choice', async () => {
    const { bridge, invoke } = fakeBridge()
    const locale = new LocaleState(
      () => bridge,
      () => ['en-GB'],
    )
    await locale.load()
    render(LanguageSelect, { props: { locale } })
    const select = screen.getByRole('combobox', { name: 'Language' })
    expect(screen.getByRole('option', { name: 'System (English)' })).toBeTruthy()

    await fireEvent.change(select, { target: { value: 'fr' } })

    expect(invoke).toHaveBeenCalledWith('prefs.set', { locale: 'fr' })
    expect(locale.current).toBe('fr')
    expect(document.documentElement.lang).toBe('fr')
    expect(m.transfers_title()).toBe('Transferts')
  })
})
