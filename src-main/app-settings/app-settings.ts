import { BROWSABLE_COLLECTIONS, type BrowserPrefs, type TransferSettings } from '@contract'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../files/atomic-write'
import type { Log } from '../log'

/**
 * The app's own settings, beside `instances.json`: where the library is, how transfers run, the
 * browser's preferences.
 */
export interface AppSettings {
  /** The library's root folder, when the admin chose one. */
  libraryDir?: string
  transfers?: TransferSettings
  browser?: BrowserPrefs
}

export const SETTINGS_FILE = 'settings.json'

/** The browser's preferences before the admin changed any. */
export const DEFAULT_BROWSER_PREFS: BrowserPrefs = {
  locale: 'system',
  density: 'comfortable',
  columns: {},
  searches: [],
}

const schema = z.object({
  libraryDir: z.string().min(1).optional(),
  transfers: z
    .object({
      parallel: z.number().int().min(1).max(8),
      bandwidthLimit: z.number().int().positive().optional(),
    })
    .optional(),
})

// Read on its own: a damaged value costs the browser's preferences only, not the library folder.
const browserSchema = z.object({
  locale: z.enum(['system', 'en', 'fr']),
  // Absent from settings written before it existed: the default then.
  density: z.enum(['comfortable', 'compact']).optional(),
  columns: z.record(
    z.string(),
    z.object({ visible: z.array(z.string()), widths: z.record(z.string(), z.number()) }),
  ),
  searches: z.array(
    z.object({
      id: z.string(),
      instanceId: z.string(),
      collection: z.enum(BROWSABLE_COLLECTIONS),
      name: z.string(),
      filter: z.string(),
    }),
  ),
})

/** The saved preferences over the defaults; each given key replaces the saved one whole. */
export function browserPrefsOf(
  saved: AppSettings,
  patch: Partial<BrowserPrefs> = {},
): BrowserPrefs {
  const prefs = { ...DEFAULT_BROWSER_PREFS, ...saved.browser }
  if (patch.locale !== undefined) prefs.locale = patch.locale
  if (patch.density !== undefined) prefs.density = patch.density
  if (patch.columns !== undefined) prefs.columns = patch.columns
  if (patch.searches !== undefined) prefs.searches = patch.searches
  return prefs
}

/**
 * Reads and writes `settings.json`. A missing file is the defaults; a damaged one is logged and
 * read as the defaults too (the next change writes a good one): settings are not worth refusing
 * to start over.
 */
export class AppSettingsStore {
  readonly path: string
  #queue: Promise<unknown> = Promise.resolve()

  constructor(
    dir: string,
    private readonly log: Log,
  ) {
    this.path = join(dir, SETTINGS_FILE)
  }

  async read(): Promise<AppSettings> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch {
      return {}
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      this.log(`settings: ${this.path} is not JSON; using defaults`)
      return {}
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      this.log(
        `settings: ${this.path} is not valid (${parsed.error.issues[0]?.message}); using defaults`,
      )
      return {}
    }
    const settings = stripUndefined(parsed.data)
    const browser = (json as { browser?: unknown }).browser
    if (browser === undefined) return settings
    const prefs = browserSchema.safeParse(browser)
    if (prefs.success) {
      const { density, ...rest } = prefs.data
      return { ...settings, browser: { ...rest, density: density ?? 'comfortable' } }
    }
    this.log(
      `settings: the browser preferences in ${this.path} are not valid (${prefs.error.issues[0]?.message}); using defaults`,
    )
    return settings
  }

  /**
   * Merges `patch` into the saved settings, one change at a time; a function computes the patch
   * from the settings saved just before, so concurrent changes do not undo each other.
   */
  update(patch: AppSettings | ((saved: AppSettings) => AppSettings)): Promise<AppSettings> {
    const next = this.#queue.then(async () => {
      const saved = await this.read()
      const changes = typeof patch === 'function' ? patch(saved) : patch
      const merged = stripUndefined({ ...saved, ...changes })
      await writeFileAtomic(this.path, `${JSON.stringify(merged, null, 2)}\n`)
      return merged
    })
    this.#queue = next.catch(() => undefined)
    return next
  }

  /** Saves the given preferences (each key whole) and answers them all. */
  async updateBrowser(patch: Partial<BrowserPrefs>): Promise<BrowserPrefs> {
    const saved = await this.update((current) => ({ browser: browserPrefsOf(current, patch) }))
    return browserPrefsOf(saved)
  }
}

function stripUndefined(settings: AppSettings): AppSettings {
  const out: AppSettings = {}
  if (settings.libraryDir !== undefined) out.libraryDir = settings.libraryDir
  if (settings.transfers !== undefined) {
    const { parallel, bandwidthLimit } = settings.transfers
    out.transfers = bandwidthLimit !== undefined ? { parallel, bandwidthLimit } : { parallel }
  }
  if (settings.browser !== undefined) out.browser = settings.browser
  return out
}
