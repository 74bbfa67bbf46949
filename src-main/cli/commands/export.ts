import type { AppError, ErrorCode } from '@contract'
import { parseArgs } from 'node:util'
import { toAppError } from '../../app-failure'
import { exportToFile } from '../../transfers/download'
import {
  describeExportSource,
  exportPathOf,
  type SourceCollection,
} from '../../transfers/export-source'
import type { TransferProgress } from '../../transfers/progress'
import type { ExportCompression, ExportFormat } from '../../transfers/sidecar'
import { XoClient } from '../../xo/client'
import { usageError } from '../output'
import { instanceClient, type ClientIo } from './client-commands'

export const EXPORT_USAGE = `Usage:
  xo-desk export vm <uuid> (--instance NAME | --url URL --token-stdin) --format xva|ova [--compress gzip|zstd] -o FILE [--json] [--retries N]
  xo-desk export vdi <uuid> (--instance NAME | --url URL --token-stdin) --format vhd|raw -o FILE [--json] [--retries N]
  xo-desk export snapshot|template <uuid> … --format xva|ova [--compress gzip|zstd] -o FILE
  xo-desk export vdi-snapshot <uuid> … --format vhd|raw -o FILE
  xo-desk export host-audit|host-logs <host-uuid> … -o FILE

snapshot is a VM snapshot, template a VM template, vdi-snapshot a disk snapshot; host-audit is the
host's audit log (text), host-logs all its logs (.tgz): both need the host running. XO 0.39.0's
disk exports take no NBD options (preferNbd and nbdConcurrency are gone from its API).

Downloads the export to FILE.part, checks it is complete, writes FILE.sha256 (sha256sum -c reads
it) and FILE.xodesk.json (where it came from), then renames it to FILE. A failed download starts
over (XO cannot resume an export), up to --retries times (default 2). Progress goes to stderr.

Exit codes: 0 complete and checked, 2 invalid command line, 3 network failure, 130 cancelled
(Ctrl+C), 1 anything else.
`

/** What the export command needs besides its arguments. */
export interface ExportIo extends ClientIo {
  /** Whether stderr is a terminal (a progress bar) or not (plain lines). */
  stderrTty?: boolean
  /** Cancels the export; by default Ctrl+C (SIGINT) and SIGTERM do. */
  signal?: AbortSignal
}

export const EXIT_USAGE = 2
export const EXIT_NETWORK = 3
export const EXIT_CANCELLED = 130

const NETWORK: ReadonlySet<ErrorCode> = new Set([
  'unreachable',
  'timeout',
  'tls-untrusted',
  'tls-changed',
  'tls-expired',
  'tls-hostname',
])

/** The exit code of a failure: cancelled 130, network 3, invalid input 2, else 1. */
export function exitCodeOf(error: AppError): number {
  if (error.code === 'cancelled') return EXIT_CANCELLED
  if (error.code === 'invalid-input') return EXIT_USAGE
  return NETWORK.has(error.code) ? EXIT_NETWORK : 1
}

/**
 * What each kind exports: the collection (its path and sidecar description are export-source.ts's,
 * shared with the app), or a host's file.
 */
const KINDS = {
  vm: { collection: 'vms', formats: ['xva', 'ova'] },
  snapshot: { collection: 'vm-snapshots', formats: ['xva', 'ova'] },
  template: { collection: 'vm-templates', formats: ['xva', 'ova'] },
  vdi: { collection: 'vdis', formats: ['vhd', 'raw'] },
  'vdi-snapshot': { collection: 'vdi-snapshots', formats: ['vhd', 'raw'] },
  // GET /hosts/{id}/audit.txt and GET /hosts/{id}/logs.tgz (dist/hosts/host.controller.mjs).
  'host-audit': { collection: 'hosts', formats: ['txt'] },
  'host-logs': { collection: 'hosts', formats: ['tgz'] },
} as const satisfies Record<
  string,
  { collection: SourceCollection; formats: readonly ExportFormat[] }
>
type Kind = keyof typeof KINDS
const isKind = (k: string | undefined): k is Kind => k !== undefined && Object.hasOwn(KINDS, k)

const MiB = 1024 * 1024
const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`

function duration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** One progress line: a bar on a terminal, plain text otherwise. */
export function progressText(p: TransferProgress, tty: boolean): string {
  const of = p.total !== undefined ? ` of ${mib(p.total)}` : ''
  const left = p.secondsLeft !== undefined ? `, ${duration(p.secondsLeft)} left` : ''
  const retry = p.attempt > 1 ? ` (try ${p.attempt})` : ''
  const facts = `${mib(p.bytes)}${of}, ${mib(p.rate)}/s${left}${retry}`
  if (!tty) return `export: ${facts}\n`
  const width = 30
  const filled =
    p.total !== undefined && p.total > 0
      ? Math.min(width, Math.round((p.bytes / p.total) * width))
      : 0
  const bar = p.total !== undefined ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : ''
  return `\r\x1b[2K${bar}${facts}${p.done ? '\n' : ''}`
}

async function resolveClient(
  io: ExportIo,
  values: {
    instance?: string | undefined
    url?: string | undefined
    'token-stdin'?: boolean | undefined
  },
): Promise<{ client: XoClient; instance?: string } | string> {
  if (values.instance !== undefined) {
    if (values.url !== undefined || values['token-stdin'])
      return '--instance takes its address and token from the app: leave out --url and --token-stdin.'
    // An export changes nothing on XO: the same resolution as `ls --instance`, nothing to audit.
    const { client, instance } = await instanceClient(io, values.instance, false, async () => {})
    return { client, instance: instance.name }
  }
  if (!values.url)
    return '--url is required (the address of your XO, e.g. https://xo.example.net), or --instance NAME.'
  if (!values['token-stdin']) return 'pass --token-stdin and write the token to standard input.'
  const token = (await io.readStdin()).trim()
  if (token === '')
    return 'standard input was empty: write the token to it (printf %s "$TOKEN" | xo-desk …).'
  return { client: new XoClient({ baseUrl: values.url, token: () => token }) }
}

/** `GET /{collection}/{id}.{format}`, or a host's `GET /hosts/{id}/audit.txt|logs.tgz`. */
function exportPath(kind: Kind, uuid: string, format: ExportFormat): string {
  return exportPathOf(KINDS[kind].collection, uuid, format)
}

/** The command's cancel signal: the caller's (`io.signal`), else one Ctrl+C (SIGINT) or SIGTERM aborts. */
export function cancelSignal(io: { signal?: AbortSignal | undefined }): {
  signal: AbortSignal
  dispose(): void
} {
  if (io.signal) return { signal: io.signal, dispose: () => undefined }
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  process.once('SIGINT', abort)
  process.once('SIGTERM', abort)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', abort)
      process.off('SIGTERM', abort)
    },
  }
}

/** `xo-desk export vm|vdi|snapshot|template|vdi-snapshot|host-audit|host-logs <uuid> …`: an export to a checked file. */
export async function exportCommand(argv: string[], io: ExportIo): Promise<number> {
  const usage = (problem: string): number => usageError(io, problem, EXPORT_USAGE)
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
        format: { type: 'string' },
        compress: { type: 'string' },
        output: { type: 'string', short: 'o' },
        json: { type: 'boolean' },
        retries: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(EXPORT_USAGE)
    return 0
  }
  const [kind, uuid, ...extra] = positionals
  if (!isKind(kind)) return usage(`say what to export: ${Object.keys(KINDS).join(', ')}.`)
  if (!uuid) return usage(`name the ${kind}: xo-desk export ${kind} <uuid> …`)
  if (extra.length > 0) return usage(`unexpected argument "${extra[0]}".`)
  if (values.token !== undefined)
    return usage(
      '--token would show your token in the process list; pipe it to --token-stdin instead.',
    )
  const allowed: readonly string[] = KINDS[kind].formats
  // A host's file has one format: --format may be left out.
  const chosen = values.format ?? (allowed.length === 1 ? allowed[0] : undefined)
  if (!chosen || !allowed.includes(chosen))
    return usage(`--format must be ${allowed.join(' or ')} for ${kind}.`)
  const format = chosen as ExportFormat
  const compress = values.compress
  if (compress !== undefined && (format !== 'xva' || (compress !== 'gzip' && compress !== 'zstd')))
    return usage('--compress is gzip or zstd, and only for --format xva.')
  if (!values.output) return usage('-o FILE is required: where to write the export.')
  const retries = values.retries === undefined ? 2 : Number(values.retries)
  if (!Number.isInteger(retries) || retries < 0)
    return usage(`--retries must be a whole number, not "${values.retries}".`)

  const fail = (error: AppError): number => {
    if (values.json) io.stdout(`${JSON.stringify({ ok: false, error })}\n`)
    io.stderr(`xo-desk: ${error.message}\n${error.action}\n`)
    return exitCodeOf(error)
  }
  let resolved
  try {
    resolved = await resolveClient(io, values)
  } catch (err) {
    return fail(toAppError(err))
  }
  if (typeof resolved === 'string') return usage(resolved)
  const { client, instance } = resolved
  const cancel = cancelSignal(io)
  const tty = io.stderrTty === true
  try {
    const { source, size } = await describeExportSource(
      client,
      KINDS[kind].collection,
      uuid,
      instance,
      cancel.signal,
    )
    const result = await exportToFile({
      client,
      path: exportPath(kind, uuid, format),
      ...(compress ? { query: { compress } } : {}),
      file: values.output,
      signal: cancel.signal,
      expect: {
        format,
        ...(compress ? { compression: compress as ExportCompression } : {}),
        ...(format === 'raw' && size !== undefined ? { size } : {}),
      },
      source,
      retries,
      // A bar redrawn a few times a second on a terminal; a line a second in a log.
      progressIntervalMs: tty ? 250 : 1000,
      onProgress: (p) => io.stderr(progressText(p, tty)),
    })
    if (values.json) {
      io.stdout(`${JSON.stringify({ ok: true, ...result })}\n`)
    } else {
      io.stdout(`${result.file}\n`)
      io.stderr(`Exported ${mib(result.size)}, SHA-256 ${result.sha256} (${result.sha256File}).\n`)
    }
    return 0
  } catch (err) {
    return fail(toAppError(err))
  } finally {
    cancel.dispose()
    await client.close()
  }
}
