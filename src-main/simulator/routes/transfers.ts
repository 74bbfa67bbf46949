import { FormatError } from '../../formats/format-error'
import { rawStream } from '../../formats/raw'
import { vhdStream } from '../../formats/vhd'
import { ovaStream } from '../../formats/ova'
import { readXva, xvaStream } from '../../formats/xva'
import { targetRecord as target, type RequestContext, type Reply } from '../http/context'
import { XapiError, xoError } from '../http/xo-errors'
import type { XoRecord } from '../lab/types'
import { cloneVm, createVdi, newXapiIds } from '../lab-mutations'
import type { ReceivedDisk } from '../disk-contents'
import type { Simulation } from '../simulation'
import { hrefOf } from '../xo-types'
import { vdisOf } from './collections'
import type { HandlerTable } from './table'

/**
 * A corrupt upload fails in XAPI's import, which XO answers as a 500 XAPI error
 * (docs/xo-rest-api.md#exports-and-imports).
 */
function importFailure(err: unknown): never {
  if (err instanceof FormatError) throw new XapiError('IMPORT_ERROR', [err.message])
  throw err
}

/**
 * Imports need their length up front: XO copies it onto the stream for XAPI
 * (@xen-orchestra/rest-api 0.39.0, dist/vdis/vdi.controller.mjs and dist/srs/sr.controller.mjs).
 */
function contentLength(ctx: RequestContext): number {
  const header = ctx.req.headers['content-length']
  if (header === undefined) {
    throw xoError.plain(
      'Trying to import a VDI without a length field. Please provide a length field to the stream.',
    )
  }
  return Number(header)
}

const download = (id: string, format: string): Record<string, string> => ({
  'Content-Type': 'application/octet-stream',
  'Content-Disposition': `attachment; filename=${id}.${format}`,
})

function vmDisks(sim: Simulation, vm: XoRecord) {
  return vdisOf(sim, vm).map(({ record }) => ({
    vdiUuid: String(record['uuid'] ?? record.id),
    name_label: String(record['name_label'] ?? ''),
    name_description: String(record['name_description'] ?? ''),
    disk: sim.disks.contentOf(record),
  }))
}

function xvaVm(vm: XoRecord) {
  const memory = vm['memory'] as { size?: number } | undefined
  const cpus = vm['CPUs'] as { number?: number } | undefined
  return {
    name_label: String(vm['name_label'] ?? ''),
    name_description: String(vm['name_description'] ?? ''),
    uuid: String(vm['uuid'] ?? vm.id),
    memory: Number(memory?.size ?? 1024 ** 3),
    CPUs: Number(cpus?.number ?? 1),
    is_a_template: vm['type'] === 'VM-template',
  }
}

/**
 * `GET /vms/{id}.{xva|ova}` and its snapshot and template twins (@xen-orchestra/rest-api 0.39.0,
 * dist/vms/vm.service.mjs).
 */
function exportVm(ctx: RequestContext): Reply {
  const vm = target(ctx)
  const format = ctx.params['format'] as 'xva' | 'ova'
  // Legacy booleans are rewritten (deprecated middleware); anything else fails tsoa's
  // `boolean | 'zstd' | 'gzip'` union, which XO words as below (dist/vms/vm.controller.mjs).
  const raw = ctx.query['compress']
  const compress = raw === 'true' ? 'gzip' : raw === 'false' ? undefined : raw
  if (compress !== undefined && compress !== 'gzip' && compress !== 'zstd') {
    throw xoError.invalidFields({
      compress: { message: 'Value does not match any allowed schema', value: raw },
    })
  }
  const input = { vm: xvaVm(vm), disks: vmDisks(ctx.sim, vm) }
  // Chunked, no Content-Length: XO streams VM exports as XAPI produces them.
  const stream =
    format === 'xva' ? xvaStream(input, compress ? { compress } : {}) : ovaStream(input)
  return { status: 200, stream, headers: download(vm.id, format) }
}

/**
 * `GET /vdis/{id}.{vhd|raw}`: Content-Length when the length is known (@xen-orchestra/rest-api
 * 0.39.0, dist/vdis/vdi.service.mjs).
 */
function exportVdi(ctx: RequestContext): Reply {
  const vdi = target(ctx)
  const disk = ctx.sim.disks.contentOf(vdi)
  const format = ctx.params['format']
  if (format === 'vhd') {
    const { stream, length } = vhdStream(disk, { uuid: String(vdi['uuid'] ?? vdi.id) })
    return {
      status: 200,
      stream,
      headers: { ...download(vdi.id, 'vhd'), 'Content-Length': String(length) },
    }
  }
  return {
    status: 200,
    stream: rawStream(disk),
    headers: { ...download(vdi.id, 'raw'), 'Content-Length': String(disk.size) },
  }
}

/**
 * Keeps the upload: raw bytes as they come, a VHD checked on the fly with only the blocks it stores
 * read and written, so a sparse VHD of a huge disk costs its data, not its virtual size.
 */
function receiveUpload(ctx: RequestContext, isRaw: boolean): Promise<ReceivedDisk> {
  return isRaw ? ctx.sim.disks.receiveRaw(ctx.req) : ctx.sim.disks.receiveVhd(ctx.req)
}

export function registerTransfers(table: HandlerTable): void {
  for (const collection of ['vms', 'vm-snapshots', 'vm-templates'] as const) {
    table.on('GET', `/${collection}/{id}.{format}`, exportVm)
  }
  for (const collection of ['vdis', 'vdi-snapshots'] as const) {
    table.on('GET', `/${collection}/{id}.{format}`, exportVdi)
  }

  // Content into an existing VDI: 204. A raw upload must be exactly the VDI's size
  // (docs/xo-rest-api.md#exports-and-imports).
  table.on('PUT', '/vdis/{id}.{format}', async (ctx) => {
    const vdi = target(ctx)
    const length = contentLength(ctx)
    const isRaw = ctx.params['format'] === 'raw'
    if (isRaw && length !== Number(vdi['size'])) {
      throw new XapiError('VDI_IO_ERROR', [
        `raw content is ${length} bytes but the VDI is ${String(vdi['size'])} bytes`,
      ])
    }
    const received = await receiveUpload(ctx, isRaw).catch(importFailure)
    if (received.size !== Number(vdi['size'])) {
      throw new XapiError('VDI_IO_ERROR', [
        `the VHD describes ${received.size} bytes but the VDI is ${String(vdi['size'])} bytes`,
      ])
    }
    received.commit(vdi.id)
    ctx.sim.store.update('vdis', vdi.id, { usage: Math.min(Number(vdi['size']), received.size) })
    return { status: 204 }
  })

  // A new VDI on an SR from an upload: 201 {id} + Location; its size comes from the content.
  table.on('POST', '/srs/{id}/vdis', async (ctx) => {
    const sr = target(ctx)
    contentLength(ctx)
    const isRaw = ctx.query['raw']?.toLowerCase() === 'true'
    const received = await receiveUpload(ctx, isRaw).catch(importFailure)
    const vdi = createVdi(ctx.sim, sr.id, {
      name_label:
        ctx.query['name_label'] ?? `[XO] Imported disk - ${new Date(ctx.sim.now()).toISOString()}`,
      ...(ctx.query['name_description'] !== undefined
        ? { name_description: ctx.query['name_description'] }
        : {}),
      size: received.size,
    })
    received.commit(vdi.id)
    return { status: 201, json: { id: vdi.id }, headers: { Location: hrefOf('vdis', vdi.id) } }
  })

  // An XVA into a pool (`POST /pools/{id}/vms`): the whole archive is checked before anything is
  // created.
  table.on('POST', '/pools/{id}/vms', async (ctx) => {
    const pool = target(ctx)
    const srId = ctx.query['sr'] ?? (pool['default_SR'] as string | undefined)
    if (!srId)
      throw xoError.incorrectState({
        actual: undefined,
        expected: 'an SR',
        object: pool.id,
        property: 'default_SR',
      })
    if (!ctx.sim.store.get('srs', srId)) throw xoError.noSuchObject(srId, 'SR')
    // The disks are kept as the archive is read; nothing is created unless all of it checks out.
    const storage = await ctx.sim.disks.receiveChunks()
    const info = await readXva(ctx.req, { onChunk: storage.chunk, digest: false }).catch(
      async (err: unknown) => {
        await storage.discard()
        return importFailure(err)
      },
    )
    const received = await storage.finish(info.disks)
    const model = [...ctx.sim.store.list('vms')][0] as XoRecord
    const vm = cloneVm(
      ctx.sim,
      { ...model, $VBDs: [], VIFs: [] },
      {
        nameLabel: info.vm.name_label,
        poolId: pool.id,
        extra: {
          name_description: info.vm.name_description ?? '',
          CPUs: { max: info.vm.CPUs, number: info.vm.CPUs },
          memory: {
            size: info.vm.memory,
            static: [info.vm.memory, info.vm.memory],
            dynamic: [info.vm.memory, info.vm.memory],
          },
          tags: [],
          creation: { date: new Date(ctx.sim.now()).toISOString(), user: ctx.caller.userId },
        },
      },
    )
    const vbds: string[] = []
    for (const disk of info.disks) {
      const vdi = createVdi(ctx.sim, srId, { name_label: disk.name_label, size: disk.virtualSize })
      received.get(disk.ref)?.commit(vdi.id)
      const ids = newXapiIds()
      const vbdModel = [...ctx.sim.store.list('vbds')][0] ?? {}
      ctx.sim.store.insert('vbds', {
        ...vbdModel,
        ...ids,
        type: 'VBD',
        VM: vm.id,
        VDI: vdi.id,
        attached: false,
        is_cd_drive: false,
        bootable: vbds.length === 0,
        position: String(vbds.length),
        device: null,
        $pool: pool.id,
        $poolId: pool.id,
      })
      ctx.sim.store.update('vdis', vdi.id, { $VBDs: [ids.id] })
      vbds.push(ids.id)
    }
    ctx.sim.store.update('vms', vm.id, { $VBDs: vbds })
    return { status: 201, json: { id: vm.id }, headers: { Location: hrefOf('vms', vm.id) } }
  })
}
