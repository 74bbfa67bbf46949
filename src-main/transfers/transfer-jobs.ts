// The app's transfers as queue jobs: an export into the library, an import of a library or dropped
// file. The engine does the work (download.ts, upload.ts); a job names the file, wires the shared
// bandwidth limit and turns the engine's progress into the Transfers view's.
import type { ExportInput, ImportInput, MoveInput, TransferView } from '@contract'
import { stat } from 'node:fs/promises'
import { extname, isAbsolute } from 'node:path'
import { pipeline } from 'node:stream'
import { AppFailure } from '../app-failure'
import type { Instance } from '../instances/instance-registry'
import type { XoClient } from '../xo/client'
import type { Bandwidth } from './bandwidth'
import { exportToFile, type ExportClient } from './download'
import { describeExportSource, exportPathOf } from './export-source'
import { ProgressMeter } from './progress'
import type { TransferJob } from './transfer-queue'
import { importImage, type ImportClient } from './upload'
import { uniqueFileName } from './file-names'
import { moveObject } from './move'

/** Where the library keeps each instance's files, and how a library id becomes a path. */
export interface LibraryFolders {
  /** The instance's folder, created if missing. */
  ensureFolder(instance: { id: string; label: string }): Promise<string>
  pathOf(id: string): string | Promise<string>
}

/** The client's streaming GET, each body slowed to the shared bandwidth limit. */
function throttledDownloads(client: XoClient, bandwidth: Bandwidth): ExportClient {
  return {
    host: client.host,
    download: async (path, query, signal, target) => {
      const res = await client.download(path, query, signal, target)
      // pipeline destroys both sides on an error or abort, so the engine sees the body's failure.
      const body = pipeline(res.body, bandwidth.throttle(), () => undefined)
      return { ...res, body }
    },
  }
}

/** The client's upload under the shared limit, `sent` told of each chunk as it goes to the socket. */
function throttledUploads(
  client: XoClient,
  bandwidth: Bandwidth,
  sent: (bytes: number) => void,
): ImportClient {
  return {
    get: (collection, id, signal) => client.get(collection, id, signal),
    upload: (request, signal) =>
      client.upload(
        { ...request, body: pipeline(request.body, bandwidth.throttle(sent), () => undefined) },
        signal,
      ),
  }
}

/** The image files an import reads, by extension. */
const EXTENSIONS: Record<string, 'xva' | 'ova' | 'vhd' | 'raw'> = {
  '.xva': 'xva',
  '.ova': 'ova',
  '.vhd': 'vhd',
  '.raw': 'raw',
  '.img': 'raw',
}

/** An export of a VM, snapshot, template or disk into the instance's library folder. */
export function exportJob(
  instance: Instance,
  library: LibraryFolders,
  input: ExportInput,
): TransferJob {
  const cached =
    input.collection === 'hosts' || input.collection === 'vms' ? input.collection : undefined
  const known = cached && instance.live.cache.get(cached, input.objectId)?.['name_label']
  return {
    describe: {
      direction: 'export',
      instance: { id: instance.id, name: instance.label },
      object: {
        collection: input.collection,
        id: input.objectId,
        name: typeof known === 'string' ? known : input.objectId,
      },
      format: input.format,
      ...(input.compression ? { compression: input.compression } : {}),
    },
    async run(ctx) {
      const { source, size } = await describeExportSource(
        instance.client,
        input.collection,
        input.objectId,
        instance.label,
        ctx.signal,
      )
      const folder = await library.ensureFolder({ id: instance.id, label: instance.label })
      const name = source.object.name ?? input.objectId
      // A host's files are named for what they are: `xcp-01 audit …txt`, `xcp-01 logs …tgz`.
      const base =
        input.collection === 'hosts' ? `${name} ${input.format === 'tgz' ? 'logs' : 'audit'}` : name
      const file = await uniqueFileName(folder, base, input.format)
      ctx.update({
        file,
        object: { collection: input.collection, id: input.objectId, name },
        ...(size !== undefined && input.format === 'raw' ? { total: size } : {}),
      })
      const result = await exportToFile({
        client: throttledDownloads(instance.client, ctx.bandwidth),
        path: exportPathOf(input.collection, input.objectId, input.format),
        ...(input.compression ? { query: { compress: input.compression } } : {}),
        file,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p),
        onVerifying: () => ctx.verifying(),
        expect: {
          format: input.format,
          ...(input.compression ? { compression: input.compression } : {}),
          ...(input.format === 'raw' && size !== undefined ? { size } : {}),
        },
        source,
      })
      return { file: result.file, ...(result.sha256 ? { sha256: result.sha256 } : {}) }
    },
  }
}

/**
 * A path from a drop: only an image file that exists. The renderer cannot read files; it passes
 * the path the preload read from the drop, and main checks it before anything is opened.
 */
export async function droppedFile(path: string): Promise<string> {
  if (!isAbsolute(path) || !(extname(path).toLowerCase() in EXTENSIONS)) {
    throw new AppFailure(
      'invalid-input',
      `${path} is not a VM or disk image XO Desk imports.`,
      'Drop an .xva, .vhd, .raw or .img file.',
    )
  }
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) {
    throw new AppFailure(
      'not-found',
      `${path} is not a file, or was moved.`,
      'Drop the file again from where it is now.',
    )
  }
  return path
}

/** The format a dropped file's extension names. */
export function droppedFormat(path: string): 'xva' | 'ova' | 'vhd' | 'raw' {
  return EXTENSIONS[extname(path).toLowerCase()] ?? 'raw'
}

/** The file an import reads: a library entry, or a dropped path. */
export async function importSourcePath(
  library: LibraryFolders,
  source: ImportInput['source'],
): Promise<string> {
  return 'libraryId' in source ? library.pathOf(source.libraryId) : droppedFile(source.path)
}

/** An import of a local file into an instance: validated, the target checked, then streamed. */
export function importJob(instance: Instance, file: string, input: ImportInput): TransferJob {
  const format = droppedFormat(file)
  const target = input.target
  const named = target.kind === 'new-vdi' && target.name ? target.name : undefined
  const base = file.split(/[\\/]/).pop() ?? file
  return {
    describe: {
      direction: 'import',
      instance: { id: instance.id, name: instance.label },
      object: {
        collection: target.kind === 'vm' ? 'vms' : 'vdis',
        ...(target.kind === 'existing-vdi' ? { id: target.vdi } : {}),
        name: named ?? base,
      },
      file,
      format,
    },
    async run(ctx) {
      // Counted as they leave for the socket, not as they are read: the file is read ahead.
      const meter = new ProgressMeter({ onProgress: (p) => ctx.progress(p) })
      let uploading = false
      const result = await importImage(
        throttledUploads(instance.client, ctx.bandwidth, (n) => meter.add(n)),
        {
          file,
          target,
          onProgress: (p) => {
            if (p.phase !== 'uploading') return ctx.verifying()
            if (!uploading) {
              uploading = true
              meter.start(1, p.total)
            }
          },
        },
        ctx.signal,
      )
      meter.finish()
      const image = result.image
      const created: TransferView['created'] = { collection: result.collection, id: result.id }
      if (image.kind === 'xva') ctx.update({ object: { ...created, name: image.vm.name } })
      return { created }
    },
  }
}

/** A copy of a VM or disk from one instance into another, streamed between the two. */
export function moveJob(from: Instance, to: Instance, input: MoveInput): TransferJob {
  const collection = input.kind === 'vm' ? 'vms' : 'vdis'
  const known = from.live.cache.get(collection, input.objectId)?.['name_label']
  return {
    describe: {
      direction: 'move',
      instance: { id: from.id, name: from.label },
      to: { id: to.id, name: to.label },
      object: {
        collection,
        id: input.objectId,
        name: typeof known === 'string' ? known : input.objectId,
      },
      format: input.kind === 'vm' ? 'xva' : 'vhd',
    },
    async run(ctx) {
      const result = await moveObject({
        from: throttledMoves(from.client, ctx.bandwidth),
        to: to.client,
        kind: input.kind,
        id: input.objectId,
        sr: input.sr,
        signal: ctx.signal,
        onProgress: (p) => (p.phase === 'verifying' ? ctx.verifying() : ctx.progress(p)),
      })
      return { created: { collection: result.collection, id: result.id }, sha256: result.sha256 }
    },
  }
}

/** The source's client with its export bodies under the shared bandwidth limit. */
function throttledMoves(
  client: XoClient,
  bandwidth: Bandwidth,
): Parameters<typeof moveObject>[0]['from'] {
  const downloads = throttledDownloads(client, bandwidth)
  return {
    host: client.host,
    download: downloads.download,
    upload: (request, signal) => client.upload(request, signal),
    get: (collection, id, signal) => client.get(collection, id, signal),
    delete: (collection, id, signal) => client.delete(collection, id, signal),
  }
}
