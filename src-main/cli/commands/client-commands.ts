import { parseArgs } from 'node:util'
import { toAppError } from '../../app-failure'
import { AppFailure } from '../../app-failure'
import type { SecretStore } from '../../vault/keychain'
import { XoClient } from '../../xo/client'
import type { CliIo } from '../run'
import { cliConnections } from './instances'
import { explain, usageError } from '../output'
import { AuditLog, type AuditRecord } from '../../audit/audit-log'
import { configDir } from '../../instances/config-dir'

export const CLIENT_USAGE = `Usage:
  xo-desk ls <collection> (--instance NAME | --url URL --token-stdin) [--fields a,b] [--filter EXPR] [--limit N] [--json|--ndjson]
  xo-desk get <collection> <id> (--instance NAME | --url URL --token-stdin) [--json]
  xo-desk action <collection> <id> <action> (--instance NAME | --url URL --token-stdin) [--body JSON] [--wait]

--instance names one of the app's instances (xo-desk instances list): its token comes from the OS
keychain and its certificate is checked as the app checks it.

The token is read from standard input (--token-stdin), never from an argument, which other users
of this machine could see in the process list:  printf %s "$TOKEN" | xo-desk ls vms --url …
--json and --ndjson print exactly what XO sends, for jq; on a terminal the default is a table.
`

/** What a client command needs besides its arguments. */
export interface ClientIo extends CliIo {
  readStdin(): Promise<string>
  isTty: boolean
  /** The keychain; the OS one unless a test gives another. */
  secrets?: SecretStore
  env?: NodeJS.ProcessEnv
}

const usage = (io: CliIo, problem: string): number => usageError(io, problem, CLIENT_USAGE)

/** A client for one of the app's instances: its token from the keychain, its trust policy. */
export async function instanceClient(
  io: ClientIo,
  name: string,
  mutating: boolean,
  audit: (record: AuditRecord) => Promise<void>,
): Promise<{ client: XoClient; instance: { id: string; name: string } }> {
  const connections = cliConnections(io)
  await connections.start()
  const config = connections.find(name)
  if (!config) {
    throw new AppFailure(
      'not-found',
      `No XO instance is named "${name}".`,
      'See the names with `xo-desk instances list`, or add it with `xo-desk instances add`.',
    )
  }
  if (mutating && config.readOnly) {
    await audit({
      instance: { id: config.id, name: config.name },
      object: { collection: '', id: '' },
      action: 'cli.action',
      outcome: 'refused',
      error: { code: 'forbidden', message: `${config.name} is read-only in XO Desk` },
    })
    throw new AppFailure(
      'forbidden',
      `${config.name} is marked read-only in XO Desk: it changes nothing there.`,
      'Run it against another instance, or turn read-only off in its settings.',
    )
  }
  const token = await connections.tokenOf(config)
  if (token === undefined) {
    throw new AppFailure(
      'auth-invalid',
      `XO Desk holds no token for ${config.name}.`,
      `Sign in again with \`xo-desk instances login ${config.name}\`.`,
    )
  }
  return {
    client: new XoClient({ baseUrl: config.url, token: () => token, trust: config.trust }),
    instance: { id: config.id, name: config.name },
  }
}

/** A readable table for a terminal: one row per object, columns from the first object's keys. */
function table(items: Record<string, unknown>[]): string {
  if (items.length === 0) return 'No results.\n'
  const keys = Object.keys(items[0] ?? {}).filter((k) => k !== 'href')
  const cell = (v: unknown): string =>
    v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
  const rows = [keys, ...items.map((item) => keys.map((k) => cell(item[k])))]
  const widths = keys.map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? '').length))))
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.slice(0, 60).padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  )
}

/** `xo-desk ls | get | action`: the XO client from the command line (issue: scripting, curl parity). */
export async function clientCommand(
  command: 'ls' | 'get' | 'action',
  argv: string[],
  io: ClientIo,
): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        instance: { type: 'string' },
        'token-stdin': { type: 'boolean' },
        token: { type: 'string' },
        fields: { type: 'string' },
        filter: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        ndjson: { type: 'boolean' },
        body: { type: 'string' },
        wait: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(CLIENT_USAGE)
    return 0
  }
  if (values.token !== undefined) {
    return usage(
      io,
      '--token would show your token in the process list; pipe it to --token-stdin instead.',
    )
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit)
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    return usage(io, `--limit must be a whole number, not "${values.limit}".`)

  let client: XoClient
  // Changes made to one of the app's instances go to the same audit log as the app's own.
  let instance: { id: string; name: string } | undefined
  const auditLog = new AuditLog(configDir(io.env ?? process.env))
  if (values.instance !== undefined) {
    if (values.url !== undefined || values['token-stdin'])
      return usage(
        io,
        '--instance takes its address and token from the app: leave out --url and --token-stdin.',
      )
    try {
      ;({ client, instance } = await instanceClient(
        io,
        values.instance,
        command === 'action',
        (record) => auditLog.record(record),
      ))
    } catch (err) {
      return explain(io, toAppError(err))
    }
  } else {
    if (!values.url)
      return usage(
        io,
        '--url is required (the address of your XO, e.g. https://xo.example.net), or --instance NAME.',
      )
    if (!values['token-stdin'])
      return usage(io, 'pass --token-stdin and write the token to standard input.')
    const token = (await io.readStdin()).trim()
    if (token === '')
      return usage(
        io,
        'standard input was empty: write the token to it (printf %s "$TOKEN" | xo-desk …).',
      )
    try {
      client = new XoClient({ baseUrl: values.url, token: () => token })
    } catch (err) {
      return explain(io, toAppError(err))
    }
  }
  const signal = new AbortController().signal
  try {
    if (command === 'ls') {
      const [collection] = positionals
      if (!collection) return usage(io, 'name a collection: xo-desk ls vms')
      const options = {
        fields: values.fields ? values.fields.split(',') : ['name_label', 'id'],
        ...(values.filter !== undefined ? { filter: values.filter } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }
      if (values.ndjson) {
        for await (const item of client.stream(collection, options, signal))
          io.stdout(`${JSON.stringify(item)}\n`)
        return 0
      }
      const items = await client.list(collection, options, signal)
      io.stdout(
        values.json || !io.isTty
          ? `${JSON.stringify(items)}\n`
          : table(items as Record<string, unknown>[]),
      )
      return 0
    }
    if (command === 'get') {
      const [collection, id] = positionals
      if (!collection || !id) return usage(io, 'name a collection and an id: xo-desk get vms <id>')
      const object = await client.get(collection, id, signal)
      io.stdout(
        values.json || !io.isTty
          ? `${JSON.stringify(object)}\n`
          : `${JSON.stringify(object, null, 2)}\n`,
      )
      return 0
    }
    const [collection, id, action] = positionals
    if (!collection || !id || !action)
      return usage(io, 'name a collection, an id and an action: xo-desk action vms <id> start')
    let body: unknown
    if (values.body !== undefined) {
      try {
        body = JSON.parse(values.body)
      } catch {
        return usage(io, `--body is not JSON: ${values.body}`)
      }
    }
    const audited = (
      outcome: AuditRecord['outcome'],
      extra: Partial<AuditRecord> = {},
    ): Promise<void> =>
      instance
        ? auditLog.record({
            instance,
            object: { collection, id },
            action: `${collection}.${action}`,
            outcome,
            ...extra,
          })
        : Promise.resolve()
    let started: { taskId: string }
    try {
      started = await client.action(collection, id, action, { body }, signal)
    } catch (err) {
      const e = toAppError(err)
      await audited('failed', { error: { code: e.code, message: e.message } })
      throw err
    }
    await audited('started', { taskId: started.taskId })
    if (!values.wait) {
      io.stdout(`${JSON.stringify({ taskId: started.taskId })}\n`)
      return 0
    }
    try {
      const result = await client.followTask(started.taskId, { target: { collection, id } }, signal)
      await audited('succeeded', { taskId: started.taskId })
      io.stdout(result === undefined ? '' : `${JSON.stringify(result)}\n`)
      return 0
    } catch (err) {
      const e = toAppError(err)
      await audited('failed', {
        taskId: started.taskId,
        error: { code: e.code, message: e.message },
      })
      throw err
    }
  } catch (err) {
    return explain(io, toAppError(err))
  } finally {
    await client.close()
  }
}
