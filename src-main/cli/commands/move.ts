import type { AppError } from '@contract'
import { parseArgs } from 'node:util'
import { toAppError } from '../../app-failure'
import { AuditLog, type AuditRecord } from '../../audit/audit-log'
import { configDir } from '../../instances/config-dir'
import { moveObject, type MovePhase, type MoveResult } from '../../transfers/move'
import type { XoClient } from '../../xo/client'
import { usageError } from '../output'
import { instanceClient } from './client-commands'
import { cancelSignal, exitCodeOf, progressText, type ExportIo } from './export'

export const MOVE_USAGE = `Usage:
  xo-desk move vm <uuid> --from NAME --to NAME --sr UUID [--verify] [--json]
  xo-desk move vdi <uuid> --from NAME --to NAME --sr UUID [--name NAME] [--no-verify] [--temp-dir DIR] [--json]

Copies a VM (as XVA) or a VDI (as VHD) from one of the app's instances to another (xo-desk
instances list): the source's export is streamed into the target's import, hashed (SHA-256) on
the way. Before any byte moves, the target SR must exist and have room for every disk.

A VM is piped socket to socket: its export has no length and XO imports a VM from a chunked body.
A VDI import needs a length: a VDI whose export announces one is piped socket to socket, one whose
export does not goes through a .part file in --temp-dir (default: the system's temporary folder),
deleted afterwards.

--verify (on by default for a VDI, --no-verify to skip) exports the copy back from the target and
compares the disks' contents (not the file bytes: XO writes a new VHD or XVA). A copy that arrived
different is a failure: delete it on the target and move again. A failed or cancelled move leaves
nothing on the target unless the message names it. Progress goes to stderr.

Exit codes: 0 moved (and checked when asked), 2 invalid command line, 3 network failure, 130
cancelled (Ctrl+C), 1 anything else.
`

const PHASES: Record<MovePhase, string> = {
  checking: 'checking',
  copying: 'copying',
  spooling: 'downloading to a temporary file',
  uploading: 'uploading',
  verifying: 'reading the copy back',
}

function summary(result: MoveResult, to: string): string {
  const what = result.kind === 'vm' ? 'VM' : 'VDI'
  const check =
    result.verified === 'match'
      ? 'its content read back from the target matches'
      : `not checked (${result.verifyNote ?? 'not asked'})`
  return `Moved ${(result.bytes / 1024 / 1024).toFixed(1)} MiB to ${to} as ${what} ${result.id}, SHA-256 of what left the source ${result.sha256}; ${check}.\n`
}

/** `xo-desk move vm|vdi <uuid> --from NAME --to NAME --sr UUID`: one XO to another. */
export async function moveCommand(argv: string[], io: ExportIo): Promise<number> {
  const usage = (problem: string): number => usageError(io, problem, MOVE_USAGE)
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      allowNegative: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        sr: { type: 'string' },
        name: { type: 'string' },
        verify: { type: 'boolean' },
        'temp-dir': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(MOVE_USAGE)
    return 0
  }
  const [kind, uuid, ...extra] = positionals
  if (kind !== 'vm' && kind !== 'vdi') return usage('say what to move: vm or vdi.')
  if (!uuid) return usage(`name the ${kind.toUpperCase()}: xo-desk move ${kind} <uuid> …`)
  if (extra.length > 0) return usage(`unexpected argument "${extra[0]}".`)
  if (!values.from || !values.to)
    return usage('--from NAME and --to NAME are required: two of the app’s instances.')
  if (values.from === values.to) return usage('--from and --to name the same instance.')
  if (!values.sr) return usage('--sr UUID is required: the SR on the target that gets the disks.')
  if (kind === 'vm' && values.name !== undefined)
    return usage('--name is for a VDI: a VM keeps the name its XVA carries.')

  const fail = (error: AppError): number => {
    if (values.json) io.stdout(`${JSON.stringify({ ok: false, error })}\n`)
    io.stderr(`xo-desk: ${error.message}\n${error.action}\n`)
    return exitCodeOf(error)
  }
  const auditLog = new AuditLog(configDir(io.env ?? process.env))
  const collection = kind === 'vm' ? 'vms' : 'vdis'
  let from: XoClient | undefined
  let to: XoClient | undefined
  let target: { id: string; name: string } | undefined
  try {
    // Reading the source changes nothing there; the target is changed, so it is audited and a
    // read-only target refuses.
    ;({ client: from } = await instanceClient(io, values.from, false, async () => {}))
    ;({ client: to, instance: target } = await instanceClient(io, values.to, true, (r) =>
      auditLog.record(r),
    ))
  } catch (err) {
    await from?.close()
    return fail(toAppError(err))
  }
  const audited = (outcome: AuditRecord['outcome'], extra: Partial<AuditRecord>): Promise<void> =>
    auditLog.record({
      instance: target ?? { id: '', name: values.to ?? '' },
      object: { collection, id: uuid },
      action: `${collection}.move`,
      outcome,
      ...extra,
    })
  const cancel = cancelSignal(io)
  const tty = io.stderrTty === true
  let phase: MovePhase | undefined
  try {
    const result = await moveObject({
      from,
      to,
      kind,
      id: uuid,
      sr: values.sr,
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.verify !== undefined ? { verify: values.verify } : {}),
      ...(values['temp-dir'] !== undefined ? { tempDir: values['temp-dir'] } : {}),
      signal: cancel.signal,
      progressIntervalMs: tty ? 250 : 1000,
      onProgress: (p) => {
        if (p.phase !== phase) {
          phase = p.phase
          if (tty) io.stderr(`${PHASES[p.phase]}…\n`)
        }
        const line = progressText(p, tty)
        io.stderr(tty ? line : line.replace(/^export:/, `move (${PHASES[p.phase]}):`))
      },
    })
    await audited('succeeded', { object: { collection, id: result.id, name: uuid } })
    io.stdout(values.json ? `${JSON.stringify({ ok: true, ...result })}\n` : `${result.id}\n`)
    if (!values.json) io.stderr(summary(result, values.to))
    return 0
  } catch (err) {
    const error = toAppError(err)
    await audited('failed', { error: { code: error.code, message: error.message } })
    return fail(error)
  } finally {
    cancel.dispose()
    await from.close()
    await to.close()
  }
}
