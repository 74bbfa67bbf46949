// Moving a VM (as XVA) or a VDI (as VHD) from one XO to another: the source's export streamed into
// the target's import. Operations (docs/xo-rest-api.md#exports-and-imports; @xen-orchestra/rest-api
// 0.39.0 dist/vms/vm.service.mjs, dist/vdis/vdi.service.mjs, dist/pools/pool.controller.mjs,
// dist/srs/sr.controller.mjs): `GET /vms/{id}.xva` → `POST /pools/{id}/vms?sr=`, and
// `GET /vdis/{id}.vhd` → `POST /srs/{id}/vdis?name_label=&name_description=`.
//
// Lengths: a VM export has none (XO streams it chunked) and XO imports a VM from a chunked body, so
// an XVA goes socket to socket. A VDI import needs a Content-Length: a VHD export that announces
// one is piped socket to socket, one that does not is spooled through a `.part` file in `tempDir`
// (constant memory still), then uploaded with the file's length.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppFailure } from '../app-failure'
import { FormatError, readVhd, readXva } from '../formats'
import type { XoClient, XoDownload } from '../xo/client'
import { toXoAppError } from '../xo/errors'
import { ProgressMeter, type TransferProgress } from './progress'

/** What a move uses of each `XoClient`. */
export type MoveClient = Pick<XoClient, 'download' | 'upload' | 'get' | 'delete' | 'host'>

export type MoveKind = 'vm' | 'vdi'

export interface MoveOptions {
  from: MoveClient
  to: MoveClient
  kind: MoveKind
  /** The VM or VDI on the source. */
  id: string
  /** The SR on the target that receives the disks (and, for a VM, whose pool gets the VM). */
  sr: string
  /** VDI only: the new VDI's name (default: the source's `name_label`). */
  name?: string
  /** VDI only: its description (default: the source's `name_description`). */
  description?: string
  /**
   * After the import, export the copy from the target and compare disk content digests.
   * Default: on for a VDI, off for a VM (a VM's check re-exports the whole VM).
   */
  verify?: boolean
  /** Where a spool `.part` goes when the export has no length (default: the OS temp dir). */
  tempDir?: string
  signal?: AbortSignal
  onProgress?: (progress: MoveProgress) => void
  /** Least time between two progress reports (default 250 ms). */
  progressIntervalMs?: number
}

/**
 * `checking`: the source and the target SR; `copying`: source → target; `spooling`: source → the
 * local part file; `uploading`: part file → target; `verifying`: the copy read back from the target.
 */
export type MovePhase = 'checking' | 'copying' | 'spooling' | 'uploading' | 'verifying'

export type MoveProgress = TransferProgress & { phase: MovePhase }

export interface MovedDisk {
  name: string
  virtualSize: number
  /** sha256 of the disk's virtual content, as read from the source's export (see `diskDigest`). */
  digest?: string
}

export type MoveVerification = 'match' | 'mismatch' | 'not-checked'

export interface MoveResult {
  kind: MoveKind
  /** The new VM or VDI on the target. */
  id: string
  collection: 'vms' | 'vdis'
  /** Bytes that left the source (the export's body). */
  bytes: number
  /** sha256 of those bytes. */
  sha256: string
  /** True when the bytes went through a local `.part` file (the export had no length). */
  spooled: boolean
  disks: MovedDisk[]
  /** `mismatch` is never returned: it is thrown. */
  verified: MoveVerification
  /** Why `verified` is `not-checked`. */
  verifyNote?: string
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
type Rec = Record<string, unknown>

function cancelled(extra = ''): AppFailure {
  return new AppFailure(
    'cancelled',
    `The move was cancelled.${extra}`,
    'Start it again when ready.',
    true,
  )
}

/** A failure of one side, explained with that side's host (`toXoAppError`, src-main/xo/errors.ts). */
function failureOf(err: unknown, client: MoveClient, prefix = '', suffix = ''): AppFailure {
  const e = err instanceof AppFailure ? err.appError : toXoAppError(err, { host: client.host })
  return new AppFailure(e.code, `${prefix}${e.message}${suffix}`, e.action, e.retryable)
}

/** The VDIs of a VM on the source, through its VBDs (CD drives left out). */
async function vmDisks(client: MoveClient, vm: Rec, signal: AbortSignal): Promise<Rec[]> {
  const out: Rec[] = []
  const vbds = Array.isArray(vm['$VBDs']) ? (vm['$VBDs'] as unknown[]) : []
  for (const vbdId of vbds) {
    const vbd = (await client.get('vbds', String(vbdId), signal)) as Rec
    if (vbd['is_cd_drive'] === true || typeof vbd['VDI'] !== 'string') continue
    out.push((await client.get('vdis', vbd['VDI'], signal)) as Rec)
  }
  return out
}

interface Plan {
  name: string
  exportPath: string
  exportFormat: 'xva' | 'vhd'
  importPath: string
  importQuery: Record<string, string | undefined>
  importTarget: { collection: string; id: string }
  collection: 'vms' | 'vdis'
}

/** Reads the source and checks the target SR exists and has room, before any byte moves. */
async function preflight(o: MoveOptions, signal: AbortSignal): Promise<Plan> {
  const source = (await o.from.get(o.kind === 'vm' ? 'vms' : 'vdis', o.id, signal)) as Rec
  const name = str(source['name_label']) ?? o.id
  const disks = o.kind === 'vm' ? await vmDisks(o.from, source, signal) : [source]
  // GET /vdis/{id}: `size` is the virtual size, what the target SR must hold.
  const want = disks.reduce(
    (sum, d) => sum + (Number.isFinite(num(d['size'])) ? num(d['size']) : 0),
    0,
  )
  // GET /srs/{id}: `size` and `physical_usage` in bytes (docs/xo-rest-api.md).
  const sr = (await o.to.get('srs', o.sr, signal)) as Rec
  const free = num(sr['size']) - num(sr['physical_usage'])
  if (Number.isFinite(free) && free < want) {
    throw new AppFailure(
      'disk-full',
      `The SR ${str(sr['name_label']) ?? o.sr} on ${o.to.host} has ${free} bytes free, ${name} needs ${want}. Nothing was sent.`,
      'Free space on that SR or choose another one with --sr.',
    )
  }
  const id = encodeURIComponent(o.id)
  if (o.kind === 'vm') {
    const pool = str(sr['$pool']) ?? str(sr['$poolId'])
    if (!pool)
      throw new AppFailure(
        'invalid-input',
        `The SR ${o.sr} belongs to no pool.`,
        'Choose another SR.',
      )
    return {
      name,
      exportPath: `/vms/${id}.xva`,
      exportFormat: 'xva',
      importPath: `/pools/${encodeURIComponent(pool)}/vms`,
      importQuery: { sr: o.sr },
      importTarget: { collection: 'pools', id: pool },
      collection: 'vms',
    }
  }
  return {
    name,
    exportPath: `/vdis/${id}.vhd`,
    exportFormat: 'vhd',
    importPath: `/srs/${encodeURIComponent(o.sr)}/vdis`,
    importQuery: {
      name_label: o.name ?? name,
      name_description: o.description ?? str(source['name_description']),
    },
    importTarget: { collection: 'srs', id: o.sr },
    collection: 'vdis',
  }
}

/** The content digests the format reader finds in a stream of an export. */
type Reader = (stream: Readable, digest: boolean) => Promise<MovedDisk[]>

const readers: Record<'xva' | 'vhd', Reader> = {
  // Digests hash every zero of the disks (half a minute for 40 GiB): only when they are compared.
  xva: async (stream, digest) =>
    (await readXva(stream, { digest })).disks.map((d) => ({
      name: d.name_label,
      virtualSize: d.virtualSize,
      ...(d.digest !== undefined ? { digest: d.digest } : {}),
    })),
  vhd: async (stream) => {
    const info = await readVhd(stream)
    return [
      {
        name: '',
        virtualSize: info.virtualSize,
        ...(info.digest !== undefined ? { digest: info.digest } : {}),
      },
    ]
  },
}

/**
 * Counts, hashes and reports every byte, and hands it to the format reader on the side: the
 * slower of the sink and the reader sets the pace. The last chunk is held back until the reader
 * found the export complete, so the target never gets a whole body (its Content-Length) of a
 * damaged or cut export, and XO creates nothing.
 */
class Tap extends Transform {
  readonly #side = new PassThrough({ highWaterMark: 1024 * 1024 })
  readonly contents: Promise<MovedDisk[]>
  readonly hash: Hash = createHash('sha256')
  bytes = 0
  #held: Buffer | undefined

  constructor(
    reader: Reader,
    private readonly meter: ProgressMeter,
    digest = true,
  ) {
    super({ highWaterMark: 1024 * 1024 })
    this.contents = reader(this.#side, digest).finally(() => this.#side.resume())
    // A damaged export stops everything at once, not at the end.
    this.contents.catch((err: unknown) =>
      this.destroy(err instanceof Error ? err : new Error(String(err))),
    )
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    this.meter.add(chunk.length)
    const previous = this.#held
    this.#held = chunk
    if (this.#side.write(chunk)) done(null, previous)
    else this.#side.once('drain', () => done(null, previous))
  }

  override _flush(done: TransformCallback): void {
    this.#side.end()
    this.contents.then(
      () => done(null, this.#held),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    )
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    this.#side.destroy()
    done(err)
  }
}

function incomplete(from: MoveClient, detail: string): AppFailure {
  return new AppFailure(
    'xo-failed',
    `The export from ${from.host} is incomplete or damaged: ${detail}.`,
    'Try again; if it keeps happening, check the source XO and any proxy in between.',
    true,
  )
}

const contentLength = (res: XoDownload): number | undefined => {
  const header = res.headers['content-length']
  return typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined
}

const nothingCreated = (o: MoveOptions): string => ` Nothing was created on ${o.to.host}.`

/**
 * Deletes a copy that must not stay (unchecked, or XO answered although the stream failed) and
 * says what became of it: deleted, or still there with its id.
 */
async function dropCopy(o: MoveOptions, plan: Plan, id: string): Promise<string> {
  const what = `${plan.collection === 'vms' ? 'VM' : 'VDI'} ${id}`
  // DELETE /vms/{id}, DELETE /vdis/{id}; not cancellable: it is the clean-up.
  const deleted = await o.to.delete(plan.collection, id, new AbortController().signal).then(
    () => true,
    () => false,
  )
  return deleted
    ? ` XO Desk deleted the copy it left (${what}) on ${o.to.host}.`
    : ` The copy ${what} is still on ${o.to.host}: delete it there.`
}

/** XO created the object although the stream failed on our side: it goes, and the message says so. */
async function createdAnyway(
  o: MoveOptions,
  plan: Plan,
  id: string,
  reason: unknown,
): Promise<AppFailure> {
  const e =
    reason instanceof AppFailure ? reason.appError : toXoAppError(reason, { host: o.to.host })
  const message = e.message.replace(nothingCreated(o), '') + (await dropCopy(o, plan, id))
  return new AppFailure(e.code, message, e.action, e.retryable)
}

/**
 * Streams the source's export into the target's import. Runs the two requests under one inner
 * signal, so that either side failing stops the other; the first failure is the one reported.
 */
async function transfer(
  o: MoveOptions,
  plan: Plan,
  meter: ProgressMeter,
  report: (phase: MovePhase) => void,
  signal: AbortSignal,
): Promise<{ id: string; bytes: number; sha256: string; spooled: boolean; disks: MovedDisk[] }> {
  const inner = new AbortController()
  const both = AbortSignal.any([signal, inner.signal])
  const res = await o.from
    .download(plan.exportPath, {}, both, { collection: plan.collection, id: o.id })
    .catch((err: unknown) => {
      throw signal.aborted ? cancelled() : failureOf(err, o.from, '', nothingCreated(o))
    })
  const length = contentLength(res)
  const tap = new Tap(readers[plan.exportFormat], meter, o.verify ?? o.kind === 'vdi')
  // Who failed first: what the user is told.
  let first: AppFailure | undefined
  const sourceFailed = (err: unknown): never => {
    if (!first) {
      // Explained before the inner abort, which would make it read as a cancel.
      if (signal.aborted) first = cancelled(nothingCreated(o))
      else if (err instanceof FormatError)
        first = incomplete(o.from, `${err.message}.${nothingCreated(o)}`)
      else first = failureOf(res.explain(err), o.from, '', nothingCreated(o))
      inner.abort()
    }
    throw first
  }
  // The source's stream failing also fails the upload (its body is destroyed), sometimes first:
  // the source's error, seen synchronously here, is then the cause to report.
  let sourceError: unknown
  const seen = (err: unknown): void => {
    sourceError ??= err
  }
  res.body.once('error', seen)
  tap.once('error', seen)
  const targetFailed = (err: unknown): never => {
    if (!first && sourceError !== undefined && !inner.signal.aborted) sourceFailed(sourceError)
    if (!first) {
      first = signal.aborted
        ? cancelled(nothingCreated(o))
        : failureOf(err, o.to, `The import into ${o.to.host} failed: `, nothingCreated(o))
      inner.abort()
    }
    throw first
  }
  const upload = (body: Readable, bytes: number | undefined): Promise<string> =>
    o.to
      .upload(
        {
          method: 'POST',
          path: plan.importPath,
          query: plan.importQuery,
          body,
          ...(bytes !== undefined ? { length: bytes } : {}),
          target: plan.importTarget,
        },
        both,
      )
      .then((answer) => {
        const id = answer?.id
        if (typeof id !== 'string')
          throw new AppFailure(
            'xo-failed',
            `${o.to.host} did not say what it created.`,
            `Look on the SR ${o.sr} for ${plan.name}.`,
          )
        return id
      }, targetFailed)

  // XO imports a VM from a chunked body (pool.controller.mjs passes the request to
  // xapi.VM_import, which reads to its end); a new VDI needs its length (sr.controller.mjs).
  if (length !== undefined || plan.exportFormat === 'xva') {
    // Socket to socket: the target reads as fast as the source sends, and no faster.
    report('copying')
    meter.start(1, length)
    const body = new PassThrough({ highWaterMark: 1024 * 1024 })
    const piped = pipeline(res.body, tap, body, { signal: both }).catch(sourceFailed)
    const [sent, read] = await Promise.allSettled([upload(body, length), piped])
    if (sent.status === 'fulfilled' && read.status === 'rejected')
      throw await createdAnyway(o, plan, sent.value, read.reason)
    if (first) throw first
    if (sent.status === 'rejected') throw sent.reason
    if (read.status === 'rejected') throw read.reason
    meter.finish()
    return {
      id: sent.value,
      bytes: tap.bytes,
      sha256: tap.hash.digest('hex'),
      spooled: false,
      disks: await tap.contents,
    }
  }

  // A VHD export with no length: through a local part file, then uploaded with its length.
  const dir = await mkdtemp(join(o.tempDir ?? tmpdir(), 'xo-desk-move-')).catch((err: unknown) => {
    res.body.destroy()
    throw err
  })
  const part = join(dir, `${o.id}.${plan.exportFormat}.part`)
  try {
    report('spooling')
    meter.start(1, undefined)
    try {
      await pipeline(res.body, tap, createWriteStream(part), { signal: both })
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOSPC')
        throw new AppFailure(
          'disk-full',
          `The folder ${dir} filled up while ${plan.name} was being copied through it.${nothingCreated(o)}`,
          'Free some space there or pass another temporary folder, then move again.',
        )
      sourceFailed(err)
    }
    meter.finish()
    const bytes = (await stat(part)).size
    report('uploading')
    meter.start(1, bytes)
    const file = createReadStream(part, { signal: both })
    const counted = new Transform({
      highWaterMark: 1024 * 1024,
      transform(chunk: Buffer, _enc, done) {
        meter.add(chunk.length)
        done(null, chunk)
      },
    })
    const piped = pipeline(file, counted)
    const [sent, read] = await Promise.allSettled([upload(counted, bytes), piped])
    if (sent.status === 'fulfilled' && read.status === 'rejected')
      throw await createdAnyway(o, plan, sent.value, read.reason)
    if (first) throw first
    if (sent.status === 'rejected') throw sent.reason
    if (read.status === 'rejected') throw failureOf(read.reason, o.to, `Reading ${part} failed: `)
    meter.finish()
    return {
      id: sent.value,
      bytes: tap.bytes,
      sha256: tap.hash.digest('hex'),
      spooled: true,
      disks: await tap.contents,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Content digests of the copy, read back from the target's export. */
async function readBack(
  o: MoveOptions,
  plan: Plan,
  id: string,
  meter: ProgressMeter,
  signal: AbortSignal,
): Promise<MovedDisk[]> {
  const path = `/${plan.collection}/${encodeURIComponent(id)}.${plan.exportFormat}`
  const res = await o.to.download(path, {}, signal, { collection: plan.collection, id })
  meter.start(1, contentLength(res))
  const tap = new Tap(readers[plan.exportFormat], meter)
  try {
    await pipeline(res.body, tap, new PassThrough().resume(), { signal })
  } catch (err) {
    if (err instanceof FormatError) throw incomplete(o.to, err.message)
    throw res.explain(err)
  }
  meter.finish()
  return tap.contents
}

/** Digests in an order-free form: XAPI may number a VM's disks differently on the target. */
const digestsOf = (disks: MovedDisk[]): string[] =>
  disks.map((d) => d.digest ?? `empty:${d.virtualSize}`).sort()

/**
 * Moves a VM (XVA) or a VDI (VHD) from `from` to the SR `sr` of `to`. Before any byte: the source
 * is read and the target SR checked (exists, room for every disk's virtual size). Then the export
 * is streamed into the import in constant memory (through a local part file when the export has no
 * length, see the top of this file), hashed (SHA-256) and read by the format reader, which gives
 * the disks' content digests. With `verify`, the copy is exported back from the target and its
 * content digests compared. Cancel with `signal`: both requests are aborted. A failure is an
 * `AppFailure` that says whether anything was left on the target, and its id if so.
 */
export async function moveObject(o: MoveOptions): Promise<MoveResult> {
  const signal = o.signal ?? new AbortController().signal
  let phase: MovePhase = 'checking'
  const meter = new ProgressMeter({
    ...(o.onProgress
      ? { onProgress: (p: TransferProgress) => o.onProgress?.({ ...p, phase }) }
      : {}),
    ...(o.progressIntervalMs !== undefined ? { intervalMs: o.progressIntervalMs } : {}),
  })
  const report = (next: MovePhase): void => {
    phase = next
  }
  if (signal.aborted) throw cancelled()
  let plan: Plan
  try {
    plan = await preflight(o, signal)
  } catch (err) {
    if (signal.aborted) throw cancelled()
    throw err instanceof AppFailure ? err : failureOf(err, o.to)
  }
  const moved = await transfer(o, plan, meter, report, signal)
  if (o.kind === 'vdi') moved.disks = moved.disks.map((d) => ({ ...d, name: plan.name }))
  const what = `${o.kind === 'vm' ? 'VM' : 'VDI'} ${moved.id}`
  const result: MoveResult = {
    kind: o.kind,
    id: moved.id,
    collection: plan.collection,
    bytes: moved.bytes,
    sha256: moved.sha256,
    spooled: moved.spooled,
    disks: moved.disks,
    verified: 'not-checked',
  }
  const verify = o.verify ?? o.kind === 'vdi'
  if (!verify) {
    return {
      ...result,
      verifyNote:
        'not asked: checking a VM exports it again from the target (verify: true) and compares its disks’ contents, its XVA metadata being new',
    }
  }
  if (o.kind === 'vdi' && moved.disks.some((d) => d.digest === undefined)) {
    return {
      ...result,
      verifyNote: 'the source VHD stores its blocks out of disk order: no digest while streaming',
    }
  }
  report('verifying')
  let back: MovedDisk[]
  try {
    back = await readBack(o, plan, moved.id, meter, signal)
  } catch (err) {
    // Unchecked copies are not left behind: deleted, or named when that fails too.
    const why = signal.aborted ? cancelled().message : failureOf(err, o.to).message
    const left = await dropCopy(o, plan, moved.id)
    if (signal.aborted)
      throw cancelled(` It was imported, then cancelled while being checked.${left}`)
    const e = err instanceof AppFailure ? err.appError : toXoAppError(err, { host: o.to.host })
    throw new AppFailure(e.code, `Checking the copy failed: ${why}${left}`, 'Move it again.', true)
  }
  const want = digestsOf(moved.disks)
  const got = digestsOf(back)
  if (want.length !== got.length || want.some((d, i) => d !== got[i])) {
    throw new AppFailure(
      'xo-failed',
      `${plan.name} arrived different on ${o.to.host}: the content of ${what} does not match the source's (sha256 ${want.join(', ')} sent, ${got.join(', ')} read back).`,
      `Delete the copy on ${o.to.host} (${what}) and move again.`,
    )
  }
  return { ...result, verified: 'match' }
}
