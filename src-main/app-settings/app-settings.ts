import type { TransferSettings } from '@contract'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../files/atomic-write'
import type { Log } from '../log'

/** The app's own settings, beside `instances.json`: where the library is, how transfers run. */
export interface AppSettings {
  /** The library's root folder, when the admin chose one. */
  libraryDir?: string
  transfers?: TransferSettings
}

export const SETTINGS_FILE = 'settings.json'

const schema = z.object({
  libraryDir: z.string().min(1).optional(),
  transfers: z
    .object({
      parallel: z.number().int().min(1).max(8),
      bandwidthLimit: z.number().int().positive().optional(),
    })
    .optional(),
})

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
    try {
      const parsed = schema.safeParse(JSON.parse(text))
      if (parsed.success) return stripUndefined(parsed.data)
      this.log(
        `settings: ${this.path} is not valid (${parsed.error.issues[0]?.message}); using defaults`,
      )
    } catch {
      this.log(`settings: ${this.path} is not JSON; using defaults`)
    }
    return {}
  }

  /** Merges `patch` into the saved settings, one change at a time. */
  update(patch: AppSettings): Promise<AppSettings> {
    const next = this.#queue.then(async () => {
      const merged = stripUndefined({ ...(await this.read()), ...patch })
      await writeFileAtomic(this.path, `${JSON.stringify(merged, null, 2)}\n`)
      return merged
    })
    this.#queue = next.catch(() => undefined)
    return next
  }
}

function stripUndefined(settings: AppSettings): AppSettings {
  const out: AppSettings = {}
  if (settings.libraryDir !== undefined) out.libraryDir = settings.libraryDir
  if (settings.transfers !== undefined) {
    const { parallel, bandwidthLimit } = settings.transfers
    out.transfers = bandwidthLimit !== undefined ? { parallel, bandwidthLimit } : { parallel }
  }
  return out
}
