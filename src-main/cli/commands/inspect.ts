import { parseArgs } from 'node:util'
import { toAppError } from '../../app-failure'
import { type ImageInfo, inspectImage } from '../../transfers/validate'
import { usageError } from '../output'
import type { CliIo } from '../run'

export const INSPECT_USAGE = `Usage:
  xo-desk inspect FILE [--json]

Reads an XVA, OVA, VHD or raw image the way an import checks it (docs/formats.md) and says what
it holds. Exit code 0 when the file is valid, 1 when it is not (the reason on stderr), 2 for a
command line that cannot run.
`

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`

function describe(info: ImageInfo): string {
  const lines = [`${info.file}: ${info.kind.toUpperCase()}, ${info.fileSize} bytes`]
  if (info.kind === 'raw')
    lines.push(`  virtual size ${info.virtualSize} (${mib(info.virtualSize)})`)
  else if (info.kind === 'vhd') {
    lines.push(`  ${info.diskType} disk, created by "${info.creatorApp}"`)
    lines.push(`  virtual size ${info.virtualSize} (${mib(info.virtualSize)})`)
    if (info.allocatedBlocks !== undefined)
      lines.push(`  ${info.allocatedBlocks} blocks of ${info.blockSize ?? 0} bytes allocated`)
  } else {
    lines.push(`  VM "${info.vm.name}"`)
    if (info.vm.CPUs !== undefined) lines.push(`  CPUs ${info.vm.CPUs}`)
    if (info.vm.memory !== undefined) lines.push(`  memory ${mib(info.vm.memory)}`)
    for (const d of info.disks)
      lines.push(`  disk "${d.name}" ${d.virtualSize} (${mib(d.virtualSize)})`)
    lines.push(`  checksums ${info.checksums}`)
  }
  return `${lines.join('\n')}\n`
}

/** `xo-desk inspect FILE [--json]`: what the pre-upload validation reads. */
export async function inspectCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    })
  } catch (err) {
    return usageError(io, err instanceof Error ? err.message : String(err), INSPECT_USAGE)
  }
  if (parsed.values.help) {
    io.stdout(INSPECT_USAGE)
    return 0
  }
  const [file, ...extra] = parsed.positionals
  if (!file || extra.length > 0) return usageError(io, 'name one file.', INSPECT_USAGE)
  try {
    const info = await inspectImage(file, new AbortController().signal)
    io.stdout(parsed.values.json ? `${JSON.stringify({ valid: true, ...info })}\n` : describe(info))
    return 0
  } catch (err) {
    const error = toAppError(err)
    if (parsed.values.json) io.stdout(`${JSON.stringify({ valid: false, error })}\n`)
    io.stderr(`xo-desk: ${error.message}\n${error.action}\n`)
    return 1
  }
}
