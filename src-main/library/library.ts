// The offline library: the exports on this computer, listed, inspected and checked with no XO
// server. A root folder holds one folder per XO instance; the export engine (transfers/download.ts)
// writes NAME (only once complete), NAME.sha256 and NAME.xodesk.json there, and NAME.part meanwhile.
import type {
  LibraryChecksum,
  LibraryContents,
  LibraryEntry,
  LibraryEntryId,
  LibraryFormat,
  LibrarySidecar,
} from '@contract/library'
import { createHash } from 'node:crypto'
import { createReadStream, realpathSync, type Stats } from 'node:fs'
import { lstat, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, posix, resolve, win32 } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { AppFailure } from '../app-failure'
import type { Log } from '../log'
import { sha256File, sidecarFile } from '../transfers/sidecar'
import { inspectImage, type InspectOptions } from '../transfers/validate'
import { codeOf, fsFailure, notFound, refused } from './library-failures'
import {
  idSuffix,
  inside,
  libraryFormat,
  readExpected,
  readSidecar,
  safeFolderName,
  toContents,
  TYPES,
} from './library-files'

export { libraryFormat, safeFolderName, toContents }

export type {
  LibraryChecksum,
  LibraryContents,
  LibraryEntry,
  LibraryEntryId,
  LibraryFormat,
  LibrarySidecar,
}

export interface LibraryOptions {
  /** The library's root folder; it need not exist yet (an empty library). */
  root: string
  log?: Log
  /** Called when what `list()` would return has changed: a background inspection ended, a
   * verification started or ended, a file was removed. */
  onChange?: () => void
}

/** The XO instance whose exports a folder holds. */
export interface LibraryInstance {
  id: string
  label: string
}

/** What inspecting a file found, for the size and modification time it had then. */
interface Inspected {
  size: number
  mtimeMs: number
  contents?: LibraryContents
  invalid?: { message: string; action: string }
}

interface Verified {
  size: number
  mtimeMs: number
  expected: string
  actual: string
  checkedAt: number
}

const same = (a: { size: number; mtimeMs: number }, st: Stats): boolean =>
  a.size === st.size && a.mtimeMs === st.mtimeMs

/** A file of the library: where it is and how the renderer names it. */
interface Located {
  file: string
  folder: string
  name: string
  id: LibraryEntryId
}

/**
 * The library on disk. `list()` is cheap: companion files (`.sha256`, `.xodesk.json`) are read on
 * every call, but image files are read (`inspectImage`, which may read a whole XVA) once per size
 * and modification time, in the background one at a time, `onChange` telling when results arrive.
 */
export class Library {
  root: string
  readonly #log: Log
  readonly #onChange: (() => void) | undefined
  readonly #inspected = new Map<string, Inspected>()
  readonly #verified = new Map<string, Verified>()
  /** Verifications running, by file: their controllers (a removal stops them). */
  readonly #verifying = new Map<string, Set<AbortController>>()
  /** Files waiting for inspection, in order. */
  readonly #pending = new Set<string>()
  #current: { file: string; abort: AbortController; done: Promise<void> } | undefined
  #running: Promise<void> | undefined
  #closed = false

  constructor(options: LibraryOptions) {
    this.root = resolve(options.root)
    this.#log = options.log ?? (() => {})
    this.#onChange = options.onChange
  }

  /** Moves the library to another folder: files already exported stay where they are. */
  setRoot(root: string): void {
    this.root = resolve(root)
  }

  /**
   * The folder of an instance's exports: its label made safe for every file system, then the
   * first 8 hex digits of the SHA-256 of its id, `Production (1a2b3c4d)`. The suffix is always
   * there, so the name depends on the instance alone: two instances labelled the same never share
   * a folder, and a folder never changes hands when another instance is added, renamed or removed.
   * Not created: see `ensureFolder`.
   */
  folderFor(instance: LibraryInstance): string {
    return join(this.root, `${safeFolderName(instance.label)} (${idSuffix(instance.id)})`)
  }

  /** `folderFor`, created with the root if missing. */
  async ensureFolder(instance: LibraryInstance): Promise<string> {
    const folder = this.folderFor(instance)
    try {
      await mkdir(folder, { recursive: true })
    } catch (err) {
      const code = codeOf(err)
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new AppFailure(
          'forbidden',
          `XO Desk cannot create the library folder ${folder} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}).`,
          'Choose another library folder in the settings, or change the permissions of this one.',
        )
      }
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw new AppFailure(
          'conflict',
          `XO Desk cannot create the library folder ${folder}: a file is in the way.`,
          'Move that file away, or choose another library folder in the settings.',
        )
      }
      throw err
    }
    return folder
  }

  /**
   * The absolute path of a library file from its id. Refuses (`invalid-input`) absolute paths,
   * `..`, `.` and empty parts, backslashes and colons, more than one folder level, names the
   * library does not list, and symbolic links (of the file or its folder) that lead out of the root.
   * The file itself need not exist.
   */
  pathOf(id: LibraryEntryId): string {
    return this.#locate(id).file
  }

  #locate(id: LibraryEntryId): Located {
    if (typeof id !== 'string' || id === '') throw refused(String(id), 'it names no file')
    if (posix.isAbsolute(id) || win32.isAbsolute(id) || /^[a-z]:/i.test(id)) {
      throw refused(id, 'it is an absolute path, not a file of the library')
    }
    if (/[\\:\0]/.test(id)) throw refused(id, 'a library file name has no \\, : or NUL')
    const parts = id.split('/')
    if (parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw refused(id, `it points outside the library folder ${this.root}`)
    }
    if (parts.length > 2) {
      throw refused(id, 'the library holds files at its root and in one folder per instance')
    }
    const name = parts.at(-1)!
    if (!libraryFormat(name)) throw refused(id, `the library holds only ${TYPES} files`)
    const file = join(this.root, ...parts)
    const realRoot = this.#realRootSync()
    let real: string | undefined
    try {
      real = realpathSync.native(file)
    } catch {
      try {
        real = join(realpathSync.native(dirname(file)), name)
      } catch {
        real = undefined
      }
    }
    if (real !== undefined && !inside(realRoot, real)) {
      throw refused(id, `it is a link to ${real}, outside the library folder ${this.root}`)
    }
    return { file, folder: parts.length === 2 ? parts[0]! : '', name, id }
  }

  #rootFailure(err: unknown): unknown {
    const code = codeOf(err)
    if (code === 'ENOTDIR') {
      return new AppFailure(
        'invalid-input',
        `The library folder ${this.root} is a file, not a folder.`,
        'Choose another library folder in the settings, or move that file away.',
      )
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new AppFailure(
        'forbidden',
        `XO Desk may not read the library folder ${this.root} (permission denied).`,
        'Change the permissions of that folder, or choose another library folder in the settings.',
      )
    }
    return err
  }

  #realRootSync(): string {
    try {
      return realpathSync.native(this.root)
    } catch {
      return this.root
    }
  }

  /**
   * Every library file at the root and in the instance folders, by folder then name. Files not
   * inspected yet come with `inspecting: true` and no `contents`: they are read in the background.
   */
  async list(): Promise<LibraryEntry[]> {
    let realRoot: string
    try {
      realRoot = await realpath(this.root)
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return []
      throw this.#rootFailure(err)
    }
    const found: Located[] = []
    /** A link is followed only when it stays inside the root. */
    const target = async (path: string): Promise<Stats | undefined> => {
      try {
        if (!inside(realRoot, await realpath(path))) return undefined
        return await stat(path)
      } catch {
        return undefined
      }
    }
    let top
    try {
      top = await readdir(this.root, { withFileTypes: true })
    } catch (err) {
      throw this.#rootFailure(err)
    }
    await Promise.all(
      top.map(async (d) => {
        if (d.name.includes('\\') || d.name.includes(':')) return
        const path = join(this.root, d.name)
        const st = d.isSymbolicLink() ? await target(path) : d
        if (st?.isFile() && libraryFormat(d.name)) {
          found.push({ file: path, folder: '', name: d.name, id: d.name })
        }
        if (!st?.isDirectory()) return
        let inner
        try {
          inner = await readdir(path, { withFileTypes: true })
        } catch {
          return
        }
        for (const f of inner) {
          if (!libraryFormat(f.name) || f.name.includes('\\') || f.name.includes(':')) continue
          const file = join(path, f.name)
          const fst = f.isSymbolicLink() ? await target(file) : f
          if (fst?.isFile())
            found.push({ file, folder: d.name, name: f.name, id: `${d.name}/${f.name}` })
        }
      }),
    )
    // A few files at a time: each entry opens up to three files.
    const entries: Array<LibraryEntry | undefined> = []
    for (let i = 0; i < found.length; i += 32) {
      const batch = found.slice(i, i + 32)
      entries.push(...(await Promise.all(batch.map((l) => this.#entry(l).catch(() => undefined)))))
    }
    const listed = new Set(found.map((l) => l.file))
    for (const cache of [this.#inspected, this.#verified]) {
      for (const file of cache.keys()) if (!listed.has(file)) cache.delete(file)
    }
    return entries
      .filter((e) => e !== undefined)
      .sort((a, b) => a.folder.localeCompare(b.folder) || a.name.localeCompare(b.name))
  }

  async #entry(at: Located): Promise<LibraryEntry> {
    const st = await stat(at.file)
    if (!st.isFile()) throw notFound(at.id)
    const format = libraryFormat(at.name)!
    const [sidecar, checksum] = await Promise.all([
      readSidecar(at.file),
      this.#checksum(at.file, st),
    ])
    return {
      id: at.id,
      folder: at.folder,
      name: at.name,
      size: st.size,
      modifiedAt: Math.floor(st.mtimeMs),
      format,
      ...(sidecar ? { sidecar } : {}),
      checksum,
      ...this.#contents(at.file, st, format),
    }
  }

  async #checksum(file: string, st: Stats): Promise<LibraryChecksum> {
    const found = await readExpected(file)
    if (found === undefined) return { state: 'missing' }
    if ('problem' in found) return { state: 'missing', problem: found.problem }
    const { expected } = found
    if (this.#verifying.has(file)) return { state: 'verifying', expected }
    const v = this.#verified.get(file)
    if (v && same(v, st) && v.expected === expected) {
      return {
        state: v.actual === expected ? 'verified' : 'mismatch',
        expected,
        actual: v.actual,
        checkedAt: v.checkedAt,
      }
    }
    return { state: 'unverified', expected }
  }

  #contents(
    file: string,
    st: Stats,
    format: LibraryFormat,
  ): Pick<LibraryEntry, 'contents' | 'inspecting' | 'invalid'> {
    if (format === 'txt' || format === 'tgz') return { contents: { kind: 'log' } }
    const known = this.#inspected.get(file)
    if (known && same(known, st)) {
      return known.contents ? { contents: known.contents } : { invalid: known.invalid! }
    }
    if (this.#closed) return {}
    this.#schedule(file)
    return { inspecting: true }
  }

  #schedule(file: string): void {
    if (this.#closed || this.#current?.file === file) return
    this.#pending.add(file)
    this.#kick()
  }

  #kick(): void {
    if (this.#running || this.#closed || this.#pending.size === 0) return
    this.#running = this.#drain().finally(() => {
      this.#running = undefined
      this.#kick()
    })
  }

  /** Inspects the waiting files one at a time (an XVA is read whole), telling after each. */
  async #drain(): Promise<void> {
    for (;;) {
      const file = this.#pending.values().next().value
      if (file === undefined || this.#closed) return
      this.#pending.delete(file)
      const abort = new AbortController()
      const done = this.#inspect(file, abort.signal)
      this.#current = { file, abort, done }
      try {
        await done
      } finally {
        this.#current = undefined
      }
      this.#emit()
    }
  }

  async #inspect(file: string, signal: AbortSignal): Promise<void> {
    let st: Stats
    try {
      st = await stat(file)
    } catch {
      this.#inspected.delete(file)
      return
    }
    const known = this.#inspected.get(file)
    if (known && same(known, st)) return
    const name = basename(file)
    const options: InspectOptions = /\.vhd$/i.test(name)
      ? { as: 'vhd' }
      : /\.xva\.(gz|zst)$/i.test(name)
        ? { as: 'xva' }
        : {}
    let result: Pick<Inspected, 'contents' | 'invalid'>
    try {
      result = { contents: toContents(await inspectImage(file, signal, options)) }
    } catch (err) {
      if (signal.aborted) return
      if (err instanceof AppFailure) {
        result = { invalid: { message: err.appError.message, action: err.appError.action } }
      } else if (codeOf(err) === 'ENOENT') {
        return
      } else {
        const why = err instanceof Error ? err.message : String(err)
        this.#log(`library: cannot inspect ${file}: ${why}`)
        result = {
          invalid: {
            message: `${name} cannot be read (${codeOf(err) ?? why}).`,
            action:
              'Check that XO Desk may read the file and that its disk is healthy, then refresh.',
          },
        }
      }
    }
    this.#inspected.set(file, { size: st.size, mtimeMs: st.mtimeMs, ...result })
  }

  #emit(): void {
    try {
      this.#onChange?.()
    } catch (err) {
      this.#log(
        `library: a change listener failed: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  }

  /**
   * Computes the file's SHA-256 (streaming) and compares it with its `NAME.sha256`. A mismatch is
   * not a failure: the entry says `mismatch` with both digests, and the list keeps saying so until
   * the file changes. Fails (`AppFailure`) when the file or its `.sha256` is missing or unusable,
   * when `signal` cancels it, or when the file changes meanwhile.
   */
  async verify(id: LibraryEntryId, signal?: AbortSignal): Promise<LibraryEntry> {
    const at = this.#locate(id)
    const cancelled = (): AppFailure =>
      new AppFailure(
        'cancelled',
        `Verifying "${id}" was cancelled.`,
        'Verify it again when ready.',
        true,
      )
    if (signal?.aborted) throw cancelled()
    let before: Stats
    try {
      before = await stat(at.file)
    } catch (err) {
      throw fsFailure(err, id, 'verify')
    }
    const found = await readExpected(at.file)
    const sums = basename(sha256File(at.file))
    if (found === undefined) {
      throw new AppFailure(
        'not-found',
        `"${id}" has no ${sums} next to it, so there is no checksum to verify it against.`,
        'Export it again with XO Desk, which writes the checksum, or put its .sha256 file next to it.',
      )
    }
    if ('problem' in found) {
      throw new AppFailure(
        'corrupt-file',
        `"${id}" cannot be verified: ${found.problem}.`,
        `Put the ${sums} that came with the file next to it (one line: the SHA-256 in hex, two spaces, the name), or export it again.`,
      )
    }
    const abort = new AbortController()
    const onAbort = (): void => abort.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) abort.abort()
    const running = this.#verifying.get(at.file) ?? new Set()
    running.add(abort)
    this.#verifying.set(at.file, running)
    this.#emit()
    let actual: string
    try {
      const hash = createHash('sha256')
      await pipeline(createReadStream(at.file, { signal: abort.signal }), hash)
      actual = hash.digest('hex')
    } catch (err) {
      if (signal?.aborted) throw cancelled()
      if (abort.signal.aborted) throw notFound(id)
      throw fsFailure(err, id, 'read')
    } finally {
      signal?.removeEventListener('abort', onAbort)
      running.delete(abort)
      if (running.size === 0) this.#verifying.delete(at.file)
      this.#emit()
    }
    const after = await stat(at.file).catch(() => undefined)
    if (!after || !same({ size: before.size, mtimeMs: before.mtimeMs }, after)) {
      if (!after) throw notFound(id)
      throw new AppFailure(
        'conflict',
        `"${id}" changed while it was being verified.`,
        'Wait until whatever is writing it has finished, then verify it again.',
        true,
      )
    }
    this.#verified.set(at.file, {
      size: before.size,
      mtimeMs: before.mtimeMs,
      expected: found.expected,
      actual,
      checkedAt: Date.now(),
    })
    if (actual !== found.expected) {
      this.#log(
        `library: ${id} does not match its checksum (${actual}, expected ${found.expected})`,
      )
    }
    try {
      return await this.#entry(at)
    } catch (err) {
      throw fsFailure(err, id, 'read')
    }
  }

  /**
   * Deletes a library file with its `NAME.sha256` and `NAME.xodesk.json`, nothing else (a running
   * export's `NAME.part` stays). Stops its inspection or verification first.
   */
  async remove(id: LibraryEntryId): Promise<void> {
    const at = this.#locate(id)
    try {
      const st = await lstat(at.file)
      if (st.isDirectory()) throw refused(id, 'it is a folder')
    } catch (err) {
      throw fsFailure(err, id, 'remove')
    }
    this.#pending.delete(at.file)
    const current = this.#current
    if (current?.file === at.file) {
      current.abort.abort()
      await current.done.catch(() => {})
    }
    for (const abort of this.#verifying.get(at.file) ?? []) abort.abort()
    try {
      await rm(at.file)
      await rm(sha256File(at.file), { force: true })
      await rm(sidecarFile(at.file), { force: true })
    } catch (err) {
      throw fsFailure(err, id, 'remove')
    } finally {
      this.#inspected.delete(at.file)
      this.#verified.delete(at.file)
    }
    this.#log(`library: removed ${id}`)
    this.#emit()
  }

  /** Resolves once every file waiting for inspection has been read. */
  async whenIdle(): Promise<void> {
    while (this.#running) await this.#running
  }

  /** Stops background inspection (the app quits or the root changes); running verifications go on. */
  async close(): Promise<void> {
    this.#closed = true
    this.#pending.clear()
    this.#current?.abort.abort()
    await this.whenIdle()
  }
}
