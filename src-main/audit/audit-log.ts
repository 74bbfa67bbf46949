import { appendFile, mkdir, open, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import type { AuditEntry, AuditExport, AuditListInput } from '@contract'
import { AppFailure, toAppError } from '../app-failure'
import type { Log } from '../log'

/** The file, in the config folder next to the settings: one JSON object per line. */
export const AUDIT_FILE = 'audit.jsonl'

/** What a caller records; the log adds the time. */
export type AuditRecord = Omit<AuditEntry, 'time'>

/** A line is trusted only if it has this shape: a torn or edited line is skipped, not shown. */
const entrySchema = z.object({
  time: z.string(),
  instance: z.object({ id: z.string(), name: z.string() }),
  object: z.object({ collection: z.string(), id: z.string(), name: z.string().optional() }),
  action: z.string(),
  outcome: z.enum(['started', 'succeeded', 'failed', 'refused']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  taskId: z.string().optional(),
})

/**
 * The append-only audit log of one process. Appends go through one promise chain, so lines are
 * written whole and in the order they were recorded; the file is created readable by its owner
 * only. Callers pass names and ids, never a request's input, so no secret can reach it.
 */
export class AuditLog {
  readonly path: string
  readonly #log: Log
  #tail: Promise<void> = Promise.resolve()
  #checkedEnd = false

  constructor(dir: string, log: Log = () => {}) {
    this.path = join(dir, AUDIT_FILE)
    this.#log = log
  }

  /** Queues one entry; resolves once it is on disk. Never rejects: a failed write goes to main's log. */
  record(entry: AuditRecord): Promise<void> {
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`
    this.#tail = this.#tail.then(() =>
      this.#append(line).catch((err: unknown) => {
        const e = toAppError(err, this.#log)
        this.#log(`audit: could not write ${this.path}: ${e.message}`)
      }),
    )
    return this.#tail
  }

  async #append(line: string): Promise<void> {
    if (!this.#checkedEnd) {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
      // A crash may have left a torn last line: start on a fresh line so this one stays whole.
      if (!(await endsWithNewline(this.path))) line = `\n${line}`
      this.#checkedEnd = true
    }
    await appendFile(this.path, line, { flag: 'a', mode: 0o600 })
  }

  /** Resolves once every entry recorded so far is on disk. */
  async flush(): Promise<void> {
    await this.#tail
  }

  /** Newest first, after every queued write. */
  async list(query: AuditListInput & { instanceName?: string } = {}): Promise<AuditEntry[]> {
    const wanted = query.instanceName?.toLowerCase()
    const entries = (await this.#readAll()).filter(
      (e) =>
        (query.instanceId === undefined || e.instance.id === query.instanceId) &&
        (wanted === undefined || e.instance.name.toLowerCase() === wanted),
    )
    return entries.reverse().slice(0, query.limit ?? 100)
  }

  /** The whole log, oldest first as in the file, as CSV (RFC 4180) or JSON. */
  async export(format: 'csv' | 'json'): Promise<AuditExport> {
    const entries = await this.#readAll()
    const day = new Date().toISOString().slice(0, 10)
    return {
      fileName: `xo-desk-audit-${day}.${format}`,
      text: format === 'csv' ? toCsv(entries) : `${JSON.stringify(entries, null, 2)}\n`,
    }
  }

  async #readAll(): Promise<AuditEntry[]> {
    await this.flush()
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new AppFailure(
        'corrupt-file',
        `XO Desk could not read its audit log (${this.path}).`,
        'Check that this file is readable by you, then open the audit log again.',
      )
    }
    return text.split('\n').flatMap((line) => {
      if (line.trim() === '') return []
      try {
        const parsed = entrySchema.safeParse(JSON.parse(line))
        return parsed.success ? [parsed.data as AuditEntry] : []
      } catch {
        return [] // a line torn by a crash mid-write
      }
    })
  }
}

async function endsWithNewline(path: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true
    throw err
  }
  try {
    const { size } = await handle.stat()
    if (size === 0) return true
    const last = Buffer.alloc(1)
    await handle.read(last, 0, 1, size - 1)
    return last[0] === 0x0a
  } finally {
    await handle.close()
  }
}

const CSV_COLUMNS = [
  'time',
  'instance',
  'instance id',
  'collection',
  'object id',
  'object',
  'action',
  'outcome',
  'error code',
  'error',
  'task id',
] as const

/** RFC 4180: CRLF between records; a field with a comma, quote or line break is quoted. */
export function toCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) => [
    e.time,
    e.instance.name,
    e.instance.id,
    e.object.collection,
    e.object.id,
    e.object.name ?? '',
    e.action,
    e.outcome,
    e.error?.code ?? '',
    e.error?.message ?? '',
    e.taskId ?? '',
  ])
  return [CSV_COLUMNS, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}

/**
 * One CSV field. A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or
 * carriage return before one) as a formula, and a VM name is anyone's to choose: such a field gets
 * a leading `'` (OWASP, "CSV Injection").
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}
