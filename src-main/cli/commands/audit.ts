import { parseArgs } from 'node:util'
import type { AuditEntry } from '@contract'
import { toAppError } from '../../app-failure'
import { AuditLog, toCsv } from '../../audit/audit-log'
import { configDir } from '../../instances/config-dir'
import type { CliIo } from '../run'
import { usageError } from '../output'

export const AUDIT_USAGE = `Usage:
  xo-desk audit [--json | --csv] [--instance NAME] [--limit N]

What XO Desk changed, newest first (50 entries unless --limit): VM actions and the instances
added, removed, trusted or signed in to, with how each ended. The log is audit.jsonl in
${'$'}XO_DESK_CONFIG_DIR or the app's data folder, next to its settings.
`

const usage = (io: CliIo, problem: string): number => usageError(io, problem, AUDIT_USAGE)

function line(e: AuditEntry): string {
  const object = e.object.name ?? e.object.id
  const why = e.error ? `\t${e.error.message}` : ''
  return `${e.time}\t${e.instance.name}\t${e.action}\t${object}\t${e.outcome}${why}\n`
}

/** `xo-desk audit`: reads the app's audit log (the same file, through `configDir()`). */
export async function auditCommand(
  argv: string[],
  io: CliIo & { env?: NodeJS.ProcessEnv },
): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
        instance: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err))
  }
  if (values.help) {
    io.stdout(AUDIT_USAGE)
    return 0
  }
  if (values.json && values.csv) return usage(io, 'choose one of --json and --csv.')
  const limit = values.limit === undefined ? 50 : Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1)
    return usage(io, `--limit "${values.limit}" is not a whole number of entries (1 or more).`)
  try {
    const audit = new AuditLog(configDir(io.env ?? process.env))
    const entries = await audit.list({
      limit,
      ...(values.instance ? { instanceName: values.instance } : {}),
    })
    if (values.json) io.stdout(`${JSON.stringify(entries)}\n`)
    else if (values.csv) io.stdout(toCsv(entries))
    else if (entries.length === 0) io.stdout('Nothing recorded yet.\n')
    else for (const e of entries) io.stdout(line(e))
    return 0
  } catch (err) {
    const e = toAppError(err)
    io.stderr(`xo-desk: ${e.message}\n${e.action}\n`)
    return 1
  }
}
