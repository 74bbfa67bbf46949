import { parseArgs } from 'node:util'
import type { AppError } from '@contract'
import { toAppError } from '../../app-failure'
import { AuditLog, type AuditRecord } from '../../audit/audit-log'
import { configDir } from '../../instances/config-dir'
import { type ImportProgress, type ImportTarget, importImage } from '../../transfers/upload'
import { XoClient } from '../../xo/client'
import { usageError } from '../output'
import { type ClientIo, instanceClient } from './client-commands'
import { cancelSignal, exitCodeOf } from './export'

export const IMPORT_USAGE = `Usage:
  xo-desk import vm FILE --sr UUID (--instance NAME | --url URL --token-stdin) [--json]
  xo-desk import vdi FILE (--sr UUID [--name NAME] [--description TEXT] | --vdi UUID) (--instance NAME | --url URL --token-stdin) [--raw] [--json]

The file is validated first (xo-desk inspect FILE) and the target checked (the SR exists and has
room, an existing VDI has exactly the image's size); nothing is sent otherwise. Progress goes to
standard error. With --instance, the import is written to the app's audit log, and a read-only
instance refuses it. Exit codes: 0 the whole file was imported, 2 invalid input (command line,
file or target), 3 network failure (unreachable, timeout, certificate), 130 cancelled (Ctrl+C),
1 anything else XO refused.
`

/** What the import command needs besides its arguments. */
export interface ImportIo extends ClientIo {
  /** Cancels the import; by default Ctrl+C (SIGINT) and SIGTERM do. */
  signal?: AbortSignal
}

/** The exit code for a failure: 2 invalid input or file, 3 network, 130 cancelled, 1 the rest. */
export function importExitCode(error: AppError): number {
  return error.code === 'corrupt-file' ? 2 : exitCodeOf(error)
}

const usage = (io: ClientIo, problem: string): number => usageError(io, problem, IMPORT_USAGE)

/** `xo-desk import vm|vdi FILE …`: the import engine from the command line. */
export async function importCommand(argv: string[], io: ImportIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        sr: { type: 'string' },
        vdi: { type: 'string' },
        name: { type: 'string' },
        description: { type: 'string' },
        raw: { type: 'boolean' },
        url: { type: 'string' },
        instance: { type: 'string' },
        'token-stdin': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(IMPORT_USAGE)
    return 0
  }
  const [what, file, ...extra] = positionals
  if ((what !== 'vm' && what !== 'vdi') || !file || extra.length > 0)
    return usage(io, 'write `xo-desk import vm FILE --sr UUID` or `xo-desk import vdi FILE …`.')
  let target: ImportTarget
  if (what === 'vm') {
    if (!values.sr || values.vdi) return usage(io, 'a VM import needs --sr UUID (and no --vdi).')
    target = { kind: 'vm', sr: values.sr }
  } else if (values.sr && !values.vdi) {
    target = {
      kind: 'new-vdi',
      sr: values.sr,
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.description !== undefined ? { description: values.description } : {}),
    }
  } else if (values.vdi && !values.sr) {
    target = { kind: 'existing-vdi', vdi: values.vdi }
  } else return usage(io, 'a disk import needs either --sr UUID (a new VDI) or --vdi UUID.')

  const fail = (error: AppError): number => {
    if (values.json) io.stdout(`${JSON.stringify({ ok: false, error })}\n`)
    io.stderr(`xo-desk: ${error.message}\n${error.action}\n`)
    return importExitCode(error)
  }
  let client: XoClient
  // An import through one of the app's instances is audited as the app audits its own.
  let audited = (_outcome: AuditRecord['outcome'], _extra?: Partial<AuditRecord>): Promise<void> =>
    Promise.resolve()
  if (values.instance !== undefined) {
    if (values.url !== undefined || values['token-stdin'])
      return usage(io, '--instance takes its address and token from the app.')
    const auditLog = new AuditLog(configDir(io.env ?? process.env))
    let instance: { id: string; name: string }
    try {
      ;({ client, instance } = await instanceClient(io, values.instance, true, (r) =>
        auditLog.record(r),
      ))
    } catch (err) {
      return fail(toAppError(err))
    }
    const object = {
      collection: target.kind === 'vm' ? 'pools' : target.kind === 'new-vdi' ? 'srs' : 'vdis',
      id: target.kind === 'existing-vdi' ? target.vdi : target.sr,
      name: file,
    }
    audited = (outcome, extra = {}) =>
      auditLog.record({
        instance,
        object,
        action: what === 'vm' ? 'vms.import' : 'vdis.import',
        outcome,
        ...extra,
      })
  } else {
    if (!values.url) return usage(io, '--url URL is required, or --instance NAME.')
    if (!values['token-stdin'])
      return usage(io, 'pass --token-stdin and write the token to standard input.')
    const token = (await io.readStdin()).trim()
    if (token === '') return usage(io, 'standard input was empty: write the token to it.')
    try {
      client = new XoClient({ baseUrl: values.url, token: () => token })
    } catch (err) {
      return fail(toAppError(err))
    }
  }
  let shown = -1
  const onProgress = (p: ImportProgress): void => {
    if (p.phase !== 'uploading') {
      io.stderr(`${p.phase === 'validating' ? 'validating' : 'checking the target'}…\n`)
      return
    }
    const pct = p.total === 0 ? 100 : Math.floor((p.sent / p.total) * 100)
    if (pct === shown) return
    shown = pct
    io.stderr(`uploading ${p.sent}/${p.total} bytes (${pct}%)\n`)
  }
  const cancel = cancelSignal(io)
  try {
    await audited('started')
    const result = await importImage(
      client,
      { file, target, onProgress, ...(values.raw ? { as: 'raw' as const } : {}) },
      cancel.signal,
    )
    await audited('succeeded', {
      object: { collection: result.collection, id: result.id, name: file },
    })
    io.stdout(
      values.json
        ? `${JSON.stringify({ ok: true, ...result })}\n`
        : `Imported ${file} as ${result.collection === 'vms' ? 'VM' : 'VDI'} ${result.id}.\n`,
    )
    return 0
  } catch (err) {
    const error = toAppError(err)
    await audited('failed', { error: { code: error.code, message: error.message } })
    return fail(error)
  } finally {
    cancel.dispose()
    await client.close()
  }
}
