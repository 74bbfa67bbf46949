import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { writeFileAtomic } from '../files/atomic-write'
import { join } from 'node:path'
import type { AppError } from '@contract'
import { AppFailure } from '../app-failure'
import { emptyConfig, parseConfig, type ConfigFile } from './instance-config'

export const CONFIG_FILE = 'instances.json'

/** A lock older than this is left over from a crashed process, never a live save (which takes ms). */
const STALE_LOCK_MS = 10_000
const LOCK_WAIT_MS = 5_000

/** The settings as read at start, with what the user must be told about the file. */
export interface LoadedConfig {
  config: ConfigFile
  notices: AppError[]
}

/**
 * The instance registry's file: `instances.json` in the config folder, versioned and migrated.
 * Writes are atomic (temporary file, fsync, rename, fsync of the folder), so a crash leaves the
 * old file or the new one, never half of one. Every change is a function applied to the file as
 * it is on disk at that moment, under a lock file, so two saves at once — two windows, the app
 * and the CLI — both land.
 */
export class ConfigStore {
  readonly path: string
  #queue: Promise<unknown> = Promise.resolve()

  constructor(readonly dir: string) {
    this.path = join(dir, CONFIG_FILE)
  }

  /**
   * Reads the settings. A missing file is a first start. A file that cannot be read as settings
   * is moved aside (kept for the user, never overwritten) and the app starts without it; entries
   * that fail their check are dropped and named. Both come back as notices to show.
   */
  async load(): Promise<LoadedConfig> {
    return this.#serial(async () => {
      const read = await this.#read()
      if (read.kind === 'missing') return { config: emptyConfig(), notices: [] }
      if (read.kind === 'corrupt') {
        const aside = await this.#moveAside()
        return {
          config: emptyConfig(),
          notices: [
            {
              code: 'corrupt-file',
              message: `XO Desk could not read its list of XO instances (${read.reason}); it starts without them.`,
              action: `The old file is kept as ${aside}: fix it and put it back as ${this.path}, or add the instances again.`,
              retryable: false,
            },
          ],
        }
      }
      const { config, problems } = read.parsed
      return {
        config,
        notices: problems.map((problem) => ({
          code: 'corrupt-file',
          message: `XO Desk skipped an unreadable entry of its instance list: ${problem}.`,
          action: 'Add that instance again.',
          retryable: false,
        })),
      }
    })
  }

  /**
   * Applies `change` to the settings as they are on disk now and saves the result atomically.
   * Returns what was saved. A corrupt file is moved aside first, as in `load`.
   */
  async update(change: (config: ConfigFile) => ConfigFile): Promise<ConfigFile> {
    return this.#serial(() =>
      this.#locked(async () => {
        const read = await this.#read()
        if (read.kind === 'corrupt') await this.#moveAside()
        const current = read.kind === 'ok' ? read.parsed.config : emptyConfig()
        const next = change(structuredClone(current))
        await this.#writeAtomically(`${JSON.stringify(next, null, 2)}\n`)
        return next
      }),
    )
  }

  // One operation of this process at a time; the lock file orders it against other processes.
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #read(): Promise<
    | { kind: 'missing' }
    | { kind: 'corrupt'; reason: string }
    | { kind: 'ok'; parsed: ReturnType<typeof parseConfig> }
  > {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' }
      throw err
    }
    try {
      return { kind: 'ok', parsed: parseConfig(JSON.parse(text)) }
    } catch (err) {
      return {
        kind: 'corrupt',
        reason: err instanceof SyntaxError ? 'not valid JSON' : String((err as Error).message),
      }
    }
  }

  async #moveAside(): Promise<string> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    const aside = `${this.path}.unreadable-${stamp}`
    await rename(this.path, aside)
    return aside
  }

  #writeAtomically(text: string): Promise<void> {
    return writeFileAtomic(this.path, text)
  }

  async #locked<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const lock = `${this.path}.lock`
    const deadline = Date.now() + LOCK_WAIT_MS
    for (;;) {
      try {
        const handle = await open(lock, 'wx')
        await handle.close()
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        const age = await stat(lock).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        )
        if (age > STALE_LOCK_MS) await unlink(lock).catch(() => undefined)
        else if (Date.now() > deadline) {
          throw new AppFailure(
            'conflict',
            'Another XO Desk (the app or the xo-desk command) is saving the instance list.',
            `Try again in a moment; if it keeps happening, delete ${lock}.`,
            true,
          )
        } else await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20))
      }
    }
    try {
      return await work()
    } finally {
      await unlink(lock).catch(() => undefined)
    }
  }
}
