// The import engine: validate the file locally, check the target, then stream the file to XO.
// Operations (docs/xo-rest-api.md#exports-and-imports, @xen-orchestra/rest-api 0.39.0
// dist/pools/pool.controller.mjs, dist/srs/sr.controller.mjs, dist/vdis/vdi.controller.mjs):
// `POST /pools/{id}/vms?sr=` (XVA), `POST /srs/{id}/vdis?name_label=&name_description=&raw=`
// (VHD or raw, new VDI), `PUT /vdis/{id}.{vhd|raw}` (content of an existing VDI).
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppFailure } from '../app-failure'
import type { XoClient } from '../xo/client'
import { type ImageInfo, type InspectOptions, inspectImage } from './validate'

/** What the import uses of `XoClient`: reads of the target and the streaming upload. */
export type ImportClient = Pick<XoClient, 'get' | 'upload'>

export type ImportTarget =
  | { kind: 'vm'; sr: string }
  | { kind: 'new-vdi'; sr: string; name?: string; description?: string }
  | { kind: 'existing-vdi'; vdi: string }

export interface ImportProgress {
  phase: 'validating' | 'checking-target' | 'uploading'
  sent: number
  total: number
}

export interface ImportRequest extends InspectOptions {
  file: string
  target: ImportTarget
  onProgress?: (p: ImportProgress) => void
  /** Compute the SHA-256 of the bytes sent (default true), returned as `sha256`. */
  checksum?: boolean
}

export interface ImportResult {
  /** The VM or VDI that now holds the content. */
  id: string
  collection: 'vms' | 'vdis'
  bytesSent: number
  /** SHA-256 (hex) of the bytes sent; absent with `checksum: false`. */
  sha256?: string
  image: ImageInfo
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))

function refuse(message: string, action: string): AppFailure {
  return new AppFailure('invalid-input', message, action)
}

/** Bytes of virtual disk the import will write: what the SR must have room for. */
function needed(image: ImageInfo): number {
  if (image.kind === 'vhd' || image.kind === 'raw') return image.virtualSize
  return image.disks.reduce((sum, d) => sum + d.virtualSize, 0)
}

/** Counts (and hashes, if given a hash) bytes on their way to the socket. */
class Meter extends Transform {
  bytes = 0
  constructor(
    private readonly tick: (bytes: number) => void,
    readonly hash?: Hash,
  ) {
    super({ highWaterMark: 1024 * 1024 })
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash?.update(chunk)
    this.bytes += chunk.length
    this.tick(this.bytes)
    done(null, chunk)
  }
}

async function checkSr(client: ImportClient, srId: string, image: ImageInfo, signal: AbortSignal) {
  // GET /srs/{id}: `size` and `physical_usage` in bytes (docs/xo-rest-api.md).
  const sr = (await client.get('srs', srId, signal)) as Record<string, unknown>
  const free = num(sr['size']) - num(sr['physical_usage'])
  const want = needed(image)
  if (Number.isFinite(free) && free < want) {
    throw new AppFailure(
      'disk-full',
      `The SR ${String(sr['name_label'] ?? srId)} has ${free} bytes free, the import needs ${want}.`,
      'Free space on that SR or choose another one with --sr.',
    )
  }
  return sr
}

/**
 * Imports an XVA, VHD or raw file. Nothing is sent unless the whole file validates
 * (`inspectImage`) and the target checks out: the SR exists and has room, an existing VDI has
 * exactly the image's virtual size. Cancel with `signal`.
 */
export async function importImage(
  client: ImportClient,
  req: ImportRequest,
  signal: AbortSignal,
): Promise<ImportResult> {
  const progress = req.onProgress ?? (() => undefined)
  const { target } = req
  progress({ phase: 'validating', sent: 0, total: 0 })
  const image = await inspectImage(req.file, signal, req.as ? { as: req.as } : {})
  if (target.kind === 'vm' && image.kind !== 'xva') {
    throw refuse(
      `${image.kind.toUpperCase()} files cannot be imported as a VM: XO imports XVA only.`,
      image.kind === 'ova'
        ? 'XO does not import OVAs (docs/xo-rest-api.md#exports-and-imports); convert it to an XVA.'
        : 'Import a disk with `xo-desk import vdi`.',
    )
  }
  if (target.kind !== 'vm' && image.kind !== 'vhd' && image.kind !== 'raw') {
    throw refuse(
      `${image.kind.toUpperCase()} files hold VMs, not a single disk.`,
      'Import it with `xo-desk import vm FILE --sr UUID`.',
    )
  }
  if (image.kind === 'vhd' && image.diskType === 'differencing') {
    throw refuse('XO imports standalone disks only.', 'Merge the VHD with its parent first.')
  }

  progress({ phase: 'checking-target', sent: 0, total: 0 })
  let method: 'POST' | 'PUT' = 'POST'
  let path: string
  let query: Record<string, string | undefined> | undefined
  let collection: 'vms' | 'vdis' = 'vdis'
  let targetRef: { collection: string; id: string }
  // vhd-lib refuses fixed VHDs (docs/formats.md#vhd): their data is the raw disk, sent as raw.
  const asRaw = image.kind === 'raw' || (image.kind === 'vhd' && image.diskType === 'fixed')
  const length = asRaw && image.kind === 'vhd' ? image.virtualSize : image.fileSize
  if (target.kind === 'vm') {
    const sr = await checkSr(client, target.sr, image, signal)
    const pool = String(sr['$pool'] ?? sr['$poolId'] ?? '')
    if (!pool) throw refuse(`The SR ${target.sr} belongs to no pool.`, 'Choose another SR.')
    path = `/pools/${encodeURIComponent(pool)}/vms`
    query = { sr: target.sr }
    collection = 'vms'
    targetRef = { collection: 'pools', id: pool }
  } else if (target.kind === 'new-vdi') {
    await checkSr(client, target.sr, image, signal)
    path = `/srs/${encodeURIComponent(target.sr)}/vdis`
    query = {
      name_label: target.name,
      name_description: target.description,
      raw: asRaw ? 'true' : undefined,
    }
    targetRef = { collection: 'srs', id: target.sr }
  } else {
    // GET /vdis/{id}: `size` is the virtual size; XO's import must get exactly that much disk.
    const vdi = (await client.get('vdis', target.vdi, signal)) as Record<string, unknown>
    const size = num(vdi['size'])
    const virtual = needed(image)
    if (size !== virtual) {
      throw refuse(
        `The VDI ${String(vdi['name_label'] ?? target.vdi)} is ${size} bytes, the image is ${virtual} bytes: they must be exactly the same size.`,
        'Resize the VDI, or import the image as a new VDI with --sr.',
      )
    }
    method = 'PUT'
    path = `/vdis/${encodeURIComponent(target.vdi)}.${asRaw ? 'raw' : 'vhd'}`
    targetRef = { collection: 'vdis', id: target.vdi }
  }

  // The file must still be the one that was validated.
  if ((await stat(req.file)).size !== image.fileSize) {
    throw new AppFailure(
      'corrupt-file',
      `${req.file} changed while it was being checked.`,
      'Wait until nothing writes to it, then import it again.',
    )
  }
  progress({ phase: 'uploading', sent: 0, total: length })
  const meter = new Meter(
    (sent) => progress({ phase: 'uploading', sent, total: length }),
    req.checksum === false ? undefined : createHash('sha256'),
  )
  // 1 MiB reads (not 64 KiB): a sixteenth of the chunks to meter, hash and hand to the socket.
  const file = createReadStream(req.file, {
    start: 0,
    end: length - 1,
    signal,
    highWaterMark: 1024 * 1024,
  })
  const piped = pipeline(file, meter)
  const answer = client.upload(
    { method, path, ...(query ? { query } : {}), body: meter, length, target: targetRef },
    signal,
  )
  const [sent, read] = await Promise.allSettled([answer, piped])
  if (sent.status === 'rejected') throw sent.reason
  if (read.status === 'rejected') throw read.reason
  if (meter.bytes !== length) {
    throw new AppFailure(
      'corrupt-file',
      `${meter.bytes} of ${length} bytes of ${req.file} could be read.`,
      'Check the file and import it again.',
    )
  }
  const id = sent.value?.id ?? (target.kind === 'existing-vdi' ? target.vdi : undefined)
  if (typeof id !== 'string') {
    throw new AppFailure('xo-failed', 'XO did not say what it created.', 'Look for it in XO.')
  }
  const sha256 = meter.hash?.digest('hex')
  return { id, collection, bytesSent: meter.bytes, ...(sha256 ? { sha256 } : {}), image }
}
