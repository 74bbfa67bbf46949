import type { BrowserPrefs, XoBridge } from '@contract'
import { baseLocale, setLocale, type Locale } from '../../paraglide/runtime.js'

/** What the admin picked in the language menu: a language, or `system` to follow the OS. */
export type LocaleChoice = BrowserPrefs['locale']

/** The OS language, from the browser's list: the first French or English one, else English. */
export function systemLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const lower = language.toLowerCase()
    if (lower.startsWith('fr')) return 'fr'
    if (lower.startsWith('en')) return 'en'
  }
  return baseLocale
}

/**
 * The renderer's language: the one saved in the browser's preferences (`prefs.get`), else the
 * OS's. Changing it re-renders without reloading the page (App keys its content on `current`),
 * so nothing typed in the sidebar's state is lost.
 */
export class LocaleState {
  choice = $state<LocaleChoice>('system')
  current = $state<Locale>(baseLocale)

  readonly #xo: () => XoBridge
  readonly #languages: () => readonly string[]

  constructor(xo: () => XoBridge, languages: () => readonly string[] = () => navigator.languages) {
    this.#xo = xo
    this.#languages = languages
  }

  /** The language `system` stands for now. */
  get system(): Locale {
    return systemLocale(this.#languages())
  }

  /** The OS language at once, then the saved choice once main answers. */
  async load(): Promise<void> {
    this.#apply('system')
    const saved = await this.#xo()
      .invoke('prefs.get', undefined)
      .catch(() => undefined)
    // No saved choice (or main cannot read its settings yet): the OS language stays.
    if (saved?.ok) this.#apply(saved.value.locale)
  }

  async choose(choice: LocaleChoice): Promise<void> {
    this.#apply(choice)
    // Kept for this session even if main cannot save it: the menu still shows what is in force.
    await this.#xo()
      .invoke('prefs.set', { locale: choice })
      .catch(() => undefined)
  }

  #apply(choice: LocaleChoice): void {
    const locale = choice === 'system' ? this.system : choice
    this.choice = choice
    void setLocale(locale, { reload: false })
    document.documentElement.lang = locale
    this.current = locale
  }
}

/** The window's one language state; App loads it and keys its content on `current`. */
export const locale = new LocaleState(() => window.xo)
