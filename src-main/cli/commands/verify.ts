import { parseArgs } from 'node:util'
import { verifyFile } from '../../transfers/sidecar'
import { usageError } from '../output'
import type { CliIo } from '../run'

export const VERIFY_USAGE = `Usage:
  xo-desk verify FILE [--json]

Checks FILE against FILE.sha256 (the sha256sum format, as xo-desk export writes it).
Exit codes: 0 it matches, 1 it does not or cannot be read, 2 invalid command line.
`

/** `xo-desk verify FILE`: the file's SHA-256 against its `.sha256`. */
export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    })
  } catch (err) {
    return usageError(io, err instanceof Error ? err.message : String(err), VERIFY_USAGE)
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(VERIFY_USAGE)
    return 0
  }
  const [file, ...extra] = positionals
  if (!file) return usageError(io, 'name the file to verify.', VERIFY_USAGE)
  if (extra.length > 0) return usageError(io, `unexpected argument "${extra[0]}".`, VERIFY_USAGE)
  const outcome = await verifyFile(file)
  if (values.json) io.stdout(`${JSON.stringify(outcome)}\n`)
  if (outcome.ok) {
    if (!values.json) io.stdout(`${file}: OK\n`)
    return 0
  }
  io.stderr(
    `xo-desk: ${file} does not verify: ${outcome.problem}.\nExport it again, or check the file was copied whole.\n`,
  )
  return 1
}
