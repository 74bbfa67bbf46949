import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Transform, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppFailure } from '../app-failure'
import { FormatError, readOva, readVhd, readXva } from '../formats'
import { openTar, skipEntry } from '../formats/tar-read'
import type { XoClient } from '../xo/client'
import { toXoAppError } from '../xo/errors'
import { ensureFreeSpace } from './free-space'
import { ProgressMeter, type TransferProgress } from './progress'
import {
  sha256File,
  sidecarFile,
  writeSidecars,
  type ExportCompression,
  type ExportFormat,
  type ExportSource,
} from './sidecar'
import { SparseFileWriter } from './sparse-file'

/** What the engine uses of `XoClient`: its streaming GET and its host for messages. */
export type ExportClient = Pick<XoClient, 'download' | 'host'>

export interface ExportOptions {
  client: ExportClient
  /** Below the API base: `/vms/{id}.xva`, `/vdis/{id}.raw`… (`GET /vms/{id}.{format}`). */
  path: string
  query?: Record<string, string | undefined>
  /** The final file name; the bytes go to `file.part` until complete and checked. */
  file: string
  signal?: AbortSignal
  onProgress?: (progress: TransferProgress) => void
  /** Every byte is in; the file is being checked complete (its format read to its end). */
  onVerifying?: () => void
  /** Least time between two progress reports (default 250 ms). */
  progressIntervalMs?: number
  expect: {
    format: ExportFormat
    compression?: ExportCompression
    /** For raw: the VDI's `size`; a raw export must be exactly this long. */
    size?: number
  }
  /** What goes into the sidecar; `url` defaults to the client's base URL. */
  source: ExportSource
  /** Further tries from the start after a failure XO may not repeat (default 2). */
  retries?: number
  /** Wait before a retry (default 1 s × attempt). */
  retryDelayMs?: number
  /** Compute the SHA-256 and write `NAME.sha256` (default true); false: the sidecar says none. */
  checksum?: boolean
}

export interface ExportResult {
  file: string
  sha256File: string
  sidecarFile: string
  size: number
  sha256: string
  attempts: number
}

/** What an export without a checksum (`checksum: false`) gives: no digest, no `NAME.sha256`. */
export type UncheckedExportResult = Omit<ExportResult, 'sha256' | 'sha256File'> & {
  sha256?: undefined
  sha256File?: undefined
}

export const partFile = (file: string): string => `${file}.part`

/** Failures that a new try from the start cannot fix. */
const FINAL_CODES = new Set([
  'cancelled',
  'disk-full',
  'auth-expired',
  'auth-invalid',
  'forbidden',
  'not-found',
  'invalid-input',
])

function cancelled(): AppFailure {
  return new AppFailure(
    'cancelled',
    'The export was cancelled.',
    'Start it again when ready.',
    true,
  )
}

/**
 * A failure as the `AppFailure` to show: XO's and the network's explained by `toXoAppError`
 * (src-main/xo/errors.ts), a full disk as `disk-full`, a cancel as `cancelled`.
 */
function asFailure(err: unknown, client: ExportClient, signal: AbortSignal): AppFailure {
  if (signal.aborted) return cancelled()
  if (err instanceof AppFailure) return err
  const e = toXoAppError(err, { host: client.host })
  return new AppFailure(e.code, e.message, e.action, e.retryable)
}

/** Counts, hashes and reports every byte on its way to the file. */
function meterStage(hash: Hash | null, meter: ProgressMeter): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      hash?.update(chunk)
      meter.add(chunk.length)
      callback(null, chunk)
    },
  })
}

/**
 * Checks the downloaded file ends as its format must (docs/formats.md#knowing-a-transfer-is-complete):
 * XO's VM exports have no `Content-Length`, and a body cut when the connection closes looks
 * complete to HTTP. XVA and OVA: read whole by the format readers (tar end-of-archive included);
 * VHD: its footer; raw: the VDI's size.
 */
async function checkFormat(part: string, expect: ExportOptions['expect']): Promise<void> {
  switch (expect.format) {
    case 'xva':
      await readXva(createReadStream(part), { digest: false })
      return
    case 'ova':
      await readOva(createReadStream(part), { digest: false })
      return
    case 'vhd':
      await readVhd(part)
      return
    case 'raw':
      // Its only end is its length: checked against the VDI's size by the caller.
      return
    case 'txt':
      // No end to check: only the Content-Length, when XO gives one (checked by the caller).
      return
    case 'tgz':
      await readTgz(part)
      return
  }
}

/** A `.tgz` read to its end: gzip's trailer (CRC and length) and tar's end-of-archive. */
async function readTgz(part: string): Promise<void> {
  const tar = await openTar(createReadStream(part), 'tar')
  try {
    if (tar.compression !== 'gzip')
      throw new FormatError('tar', 'corrupt-compression', 'the archive is not gzip-compressed')
    for await (const entry of tar.entries) await skipEntry(entry)
    tar.finish()
  } catch (e) {
    throw tar.classify(e)
  }
}

function incomplete(client: ExportClient, detail: string): AppFailure {
  return new AppFailure(
    'xo-failed',
    `The export from ${client.host} is incomplete or damaged: ${detail}.`,
    'Try again; if it keeps happening, check XO and any proxy in between.',
    true,
  )
}

/** One try: the whole body into `part`, counted and hashed; the file checked complete. */
async function attempt(
  options: ExportOptions,
  part: string,
  meter: ProgressMeter,
  n: number,
  signal: AbortSignal,
): Promise<{ size: number; sha256: string | null }> {
  const { client } = options
  const res = await client.download(options.path, options.query ?? {}, signal)
  const header = res.headers['content-length']
  const length = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined
  try {
    if (length !== undefined) await ensureFreeSpace(dirname(part), length)
  } catch (err) {
    res.body.destroy()
    throw err
  }
  meter.start(n, length ?? options.expect.size)
  const hash = options.checksum === false ? null : createHash('sha256')
  // Raw disks are mostly zeros: written sparse (docs/formats.md); other formats as they come.
  const sink: Writable =
    options.expect.format === 'raw' ? new SparseFileWriter(part) : createWriteStream(part)
  try {
    // pipeline keeps backpressure (a slow disk slows the socket) and destroys every stage, the
    // request included, on error or abort.
    await pipeline(res.body, meterStage(hash, meter), sink, { signal })
  } catch (err) {
    if (signal.aborted) throw cancelled()
    if (err instanceof AppFailure) throw err
    if ((err as { code?: unknown }).code === 'ENOSPC') throw asFailure(err, client, signal)
    throw asFailure(res.explain(err), client, signal)
  }
  const sha256 = hash?.digest('hex') ?? null
  const size = (await stat(part)).size
  options.onVerifying?.()
  if (length !== undefined) {
    if (size !== length) throw incomplete(client, `${size} bytes received of ${length}`)
  } else {
    try {
      await checkFormat(part, options.expect)
    } catch (err) {
      if (err instanceof FormatError) throw incomplete(client, err.message)
      throw err
    }
  }
  if (
    options.expect.format === 'raw' &&
    options.expect.size !== undefined &&
    size !== options.expect.size
  )
    throw incomplete(client, `${size} bytes where the disk has ${options.expect.size}`)
  meter.finish()
  return { size, sha256 }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((done, fail) => {
    if (signal.aborted) return fail(cancelled())
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      done()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      fail(cancelled())
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })

/**
 * Downloads an export (`GET /vms/{id}.{format}`, `GET /vdis/{id}.{format}`) to `file`: streamed in
 * constant memory into `file.part`, hashed on the way (unless `checksum: false`), checked
 * complete, then `NAME.sha256` and `NAME.xodesk.json` written and the part renamed. A failed try
 * starts over from the first byte (XO cannot resume an export). On any failure or cancel the part is deleted and `file` never
 * appears; the failure is an `AppFailure` saying what happened and what to do.
 */
export async function exportToFile(
  options: ExportOptions & { checksum: false },
): Promise<UncheckedExportResult>
export async function exportToFile(
  options: ExportOptions & { checksum?: true },
): Promise<ExportResult>
export async function exportToFile(
  options: ExportOptions,
): Promise<ExportResult | UncheckedExportResult>
export async function exportToFile(
  options: ExportOptions,
): Promise<ExportResult | UncheckedExportResult> {
  const file = resolve(options.file)
  const part = partFile(file)
  const signal = options.signal ?? new AbortController().signal
  const retries = options.retries ?? 2
  const meter = new ProgressMeter({
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.progressIntervalMs !== undefined ? { intervalMs: options.progressIntervalMs } : {}),
  })
  let sidecars = false
  const dropSidecars = async (): Promise<void> => {
    if (!sidecars) return
    await rm(sha256File(file), { force: true })
    await rm(sidecarFile(file), { force: true })
  }
  for (let n = 1; ; n++) {
    try {
      if (signal.aborted) throw cancelled()
      const { size, sha256 } = await attempt(options, part, meter, n, signal)
      if (signal.aborted) throw cancelled()
      sidecars = true
      await writeSidecars(file, {
        source: options.source,
        format: options.expect.format,
        ...(options.expect.compression ? { compression: options.expect.compression } : {}),
        size,
        sha256,
      })
      await rename(part, file)
      const common = { file, sidecarFile: sidecarFile(file), size, attempts: n }
      return sha256 === null ? common : { ...common, sha256File: sha256File(file), sha256 }
    } catch (err) {
      await rm(part, { force: true })
      const failure = asFailure(err, options.client, signal)
      if (n > retries || !failure.appError.retryable || FINAL_CODES.has(failure.appError.code)) {
        await dropSidecars()
        throw failure
      }
      await dropSidecars()
      sidecars = false
      await sleep((options.retryDelayMs ?? 1000) * n, signal)
    }
  }
}
