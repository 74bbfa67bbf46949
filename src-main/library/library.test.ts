// The library on real files: exports from the simulator through the engine, a VHD from qemu-img.
import type { LibraryEntry, LibrarySidecar } from '@contract/library'
import {
  copyFile,
  mkdir,
  open,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { startExportLab, type ExportLab } from '../test-support/export-lab'
import { makeTempDir, run } from '../test-support/format-files'
import { exportToFile } from '../transfers/download'
import type { ExportSidecar } from '../transfers/sidecar'
import { XoClient } from '../xo/client'
import { Library } from './library'

const MiB = 1024 * 1024
let lab: ExportLab
let client: XoClient
let tmp: string
let removeTmp: () => Promise<void>
let qemuVhd: string
const prod = { id: '6f1c0f3e-8a55-4c3e-9a43-7d1e2b1f0a01', label: 'Production' }

beforeAll(async () => {
  lab = await startExportLab(16 * MiB, MiB)
  client = new XoClient({ baseUrl: lab.sim.url, token: () => lab.sim.token })
  ;({ dir: tmp, remove: removeTmp } = await makeTempDir('library'))
  const raw = join(tmp, 'qemu.raw')
  await writeFile(raw, Buffer.alloc(3 * MiB, 7))
  await truncate(raw, 8 * MiB)
  qemuVhd = join(tmp, 'qemu.vhd')
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', raw, qemuVhd])
})
afterAll(async () => {
  await client.close()
  await lab.sim.close()
  await removeTmp()
})

let roots = 0
/** A library in a fresh root, counting its change notices. */
function newLibrary(): { library: Library; root: string; changes: () => number } {
  const root = join(tmp, `root-${++roots}`)
  let changes = 0
  const library = new Library({ root, onChange: () => changes++ })
  return { library, root, changes: () => changes }
}

async function exportInto(
  library: Library,
  name: string,
  format: 'xva' | 'vhd' | 'raw',
  instance = prod,
): Promise<{ file: string; sha256: string }> {
  const file = join(await library.ensureFolder(instance), name)
  const vm = format === 'xva'
  const result = await exportToFile({
    client,
    path: vm ? `/vms/${lab.vm.id}.xva` : `/vdis/${lab.vdi.id}.${format}`,
    file,
    expect: { format, ...(format === 'raw' ? { size: Number(lab.vdi['size']) } : {}) },
    source: { ...(vm ? lab.vmSource : lab.vdiSource), instance: instance.label },
  })
  return { file, sha256: result.sha256 }
}

/** The list once every file has been inspected. */
async function settled(library: Library): Promise<LibraryEntry[]> {
  await library.list()
  await library.whenIdle()
  return library.list()
}

function entryNamed(entries: LibraryEntry[], name: string): LibraryEntry {
  const e = entries.find((x) => x.name === name)
  if (!e) throw new Error(`${name} is not listed: ${entries.map((x) => x.id).join(', ')}`)
  return e
}

async function failureOf(p: Promise<unknown> | (() => unknown)): Promise<AppFailure> {
  let e: unknown
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    e = err
  }
  if (!(e instanceof AppFailure)) throw new Error(`expected an AppFailure, got ${String(e)}`)
  return e
}

async function flip(path: string, offset: number): Promise<void> {
  const fh = await open(path, 'r+')
  const b = Buffer.alloc(1)
  await fh.read(b, 0, 1, offset)
  b[0] = b[0]! ^ 0xff
  await fh.write(b, 0, 1, offset)
  await fh.close()
}

describe('Library.list', () => {
  it('lists a complete XVA export with its VM, disks and sidecar, unverified until verified', async () => {
    const { library, changes } = newLibrary()
    const { file, sha256 } = await exportInto(library, 'vm.xva', 'xva')
    const first = entryNamed(await library.list(), 'vm.xva')
    // Read in the background: the list does not wait for a whole XVA to be read.
    expect(first).toMatchObject({
      inspecting: true,
      format: 'xva',
      folder: basename(library.folderFor(prod)),
    })
    expect(first.contents).toBeUndefined()
    await library.whenIdle()
    expect(changes()).toBeGreaterThan(0)

    const entry = entryNamed(await library.list(), 'vm.xva')
    expect(entry.inspecting).toBeUndefined()
    expect(entry.id).toBe(`${entry.folder}/vm.xva`)
    expect(entry.contents).toMatchObject({
      kind: 'xva',
      vm: { name: String(lab.vm['name_label']) },
      checksums: 'verified',
    })
    if (entry.contents?.kind !== 'xva') throw new Error('not an xva')
    expect(entry.contents.disks.length).toBeGreaterThan(0)
    for (const d of entry.contents.disks) expect(d.virtualSize).toBe(16 * MiB)
    expect(entry.sidecar).toMatchObject({
      source: { instance: 'Production', url: lab.sim.url },
      object: { type: 'VM', uuid: lab.vmSource.object.uuid, name: lab.vmSource.object.name },
      format: 'xva',
      sha256,
    })
    // The whole sidecar, as the engine wrote it (typed so the contract's shape must accept it).
    const written: LibrarySidecar = JSON.parse(
      await readFile(`${file}.xodesk.json`, 'utf8'),
    ) as ExportSidecar
    expect(entry.sidecar).toEqual(written)
    expect(entry.checksum).toEqual({ state: 'unverified', expected: sha256 })

    const verified = await library.verify(entry.id)
    expect(verified.checksum).toMatchObject({ state: 'verified', expected: sha256, actual: sha256 })
    expect(verified.checksum.checkedAt).toBeGreaterThan(Date.now() - 60_000)
    expect(entryNamed(await library.list(), 'vm.xva').checksum.state).toBe('verified')
  })

  it('lists VHD and raw exports with their virtual size, and a qemu-img VHD with no .sha256 as missing', async () => {
    const { library, root } = newLibrary()
    await exportInto(library, 'disk.vhd', 'vhd')
    await exportInto(library, 'disk.raw', 'raw')
    await copyFile(qemuVhd, join(root, 'loose.vhd'))
    const entries = await settled(library)
    expect(entryNamed(entries, 'disk.vhd')).toMatchObject({
      format: 'vhd',
      contents: { kind: 'vhd', virtualSize: 16 * MiB },
      sidecar: { object: { type: 'VDI' } },
      checksum: { state: 'unverified' },
    })
    expect(entryNamed(entries, 'disk.raw')).toMatchObject({
      format: 'raw',
      contents: { kind: 'raw', virtualSize: 16 * MiB },
    })
    const loose = entryNamed(entries, 'loose.vhd')
    expect(loose).toMatchObject({
      id: 'loose.vhd',
      folder: '',
      contents: { kind: 'vhd', diskType: 'dynamic', creatorApp: 'qemu' },
      checksum: { state: 'missing' },
    })
    expect(loose.sidecar).toBeUndefined()
    const e = await failureOf(library.verify('loose.vhd'))
    expect(e.appError.code).toBe('not-found')
    expect(e.message).toMatch(/no loose\.vhd\.sha256/)
    expect(e.appError.action).toMatch(/\.sha256/)
  })

  it('does not list a .part file, nor .sha256, .xodesk.json or other files', async () => {
    const { library } = newLibrary()
    const { file } = await exportInto(library, 'vm.xva', 'xva')
    const folder = dirname(file)
    await copyFile(file, join(folder, 'next.xva.part'))
    await writeFile(join(folder, 'notes.md'), 'hello\n')
    await writeFile(join(folder, 'audit.txt'), 'a log\n')
    const entries = await library.list()
    expect(entries.map((e) => e.name).sort()).toEqual(['audit.txt', 'vm.xva'])
    // A host's audit log is listed as it is, not read as an image.
    expect(entryNamed(entries, 'audit.txt')).toMatchObject({
      format: 'txt',
      contents: { kind: 'log' },
      checksum: { state: 'missing' },
    })
    await library.close()
  })

  it('lists a damaged file as invalid, saying the field and the byte offset', async () => {
    const { library, root } = newLibrary()
    const { file } = await exportInto(library, 'disk.vhd', 'vhd')
    // The footer at the end of the file: its cookie.
    const { size } = await stat(file)
    await flip(file, size - 512)
    await copyFile(qemuVhd, join(root, 'cut.vhd'))
    await truncate(join(root, 'cut.vhd'), 4096)
    const entries = await settled(library)
    const damaged = entryNamed(entries, 'disk.vhd')
    expect(damaged.contents).toBeUndefined()
    expect(damaged.invalid?.message).toMatch(
      new RegExp(`byte offset ${size - 512}, field footer cookie`),
    )
    expect(damaged.invalid?.action).toMatch(/export it again/i)
    expect(entryNamed(entries, 'cut.vhd').invalid?.message).toMatch(/byte offset \d+, field /)
  })

  it('reads a file again once it changed, not on every list', async () => {
    const { library } = newLibrary()
    const { file } = await exportInto(library, 'disk.raw', 'raw')
    await settled(library)
    expect(entryNamed(await library.list(), 'disk.raw')).toMatchObject({
      contents: { kind: 'raw' },
    })
    await truncate(file, 16 * MiB - 100)
    const changed = entryNamed(await library.list(), 'disk.raw')
    expect(changed.inspecting).toBe(true)
    await library.whenIdle()
    expect(entryNamed(await library.list(), 'disk.raw').invalid?.message).toMatch(
      /multiple of 512 bytes.*field file length/,
    )
  })
})

describe('Library root', () => {
  it('is an empty library before the first export, and a readable failure when it is a file', async () => {
    const { library, root } = newLibrary()
    expect(await library.list()).toEqual([])
    await writeFile(root, 'not a folder')
    const e = await failureOf(library.list())
    expect(e.appError.code).toBe('invalid-input')
    expect(e.message).toBe(`The library folder ${root} is a file, not a folder.`)
    expect((await failureOf(library.ensureFolder(prod))).appError.code).toBe('conflict')
  })
})

describe('Library.verify', () => {
  it('says mismatch with both digests when a byte of the file changed', async () => {
    const { library } = newLibrary()
    const { file, sha256 } = await exportInto(library, 'disk.raw', 'raw')
    const id = entryNamed(await library.list(), 'disk.raw').id
    expect((await library.verify(id)).checksum.state).toBe('verified')
    await flip(file, 5 * MiB + 3)
    const entry = await library.verify(id)
    expect(entry.checksum.state).toBe('mismatch')
    expect(entry.checksum.expected).toBe(sha256)
    expect(entry.checksum.actual).toMatch(/^[0-9a-f]{64}$/)
    expect(entry.checksum.actual).not.toBe(sha256)
    expect(entryNamed(await library.list(), 'disk.raw').checksum).toMatchObject({
      state: 'mismatch',
      expected: sha256,
      actual: entry.checksum.actual,
    })
  })

  it('is cancelled by its signal, and says a removed file was removed', async () => {
    const { library } = newLibrary()
    await exportInto(library, 'disk.raw', 'raw')
    const id = entryNamed(await library.list(), 'disk.raw').id
    const e = await failureOf(library.verify(id, AbortSignal.abort()))
    expect(e.appError.code).toBe('cancelled')
    await library.remove(id)
    const gone = await failureOf(library.verify(id))
    expect(gone.appError.code).toBe('not-found')
    expect(gone.message).toMatch(/was removed or moved/)
  })
  it('stops when cancelled midway, and the list does not call it verified', async () => {
    const controller = new AbortController()
    const root = join(tmp, `root-${++roots}`)
    // The library says a verification started: cancel it then, while the file is being read.
    let verifying = false
    const library = new Library({ root, onChange: () => verifying && controller.abort() })
    await exportInto(library, 'disk.raw', 'raw')
    const id = entryNamed(await library.list(), 'disk.raw').id
    await library.whenIdle()
    verifying = true
    const e = await failureOf(library.verify(id, controller.signal))
    expect(e.appError).toMatchObject({ code: 'cancelled', retryable: true })
    expect(e.message).toMatch(/^Verifying ".*disk\.raw" was cancelled\.$/)
    expect(entryNamed(await library.list(), 'disk.raw').checksum.state).toBe('unverified')
  })
})

describe('Library.remove', () => {
  it('deletes the file, its .sha256 and .xodesk.json, and nothing else', async () => {
    const { library, changes } = newLibrary()
    const { file } = await exportInto(library, 'vm.xva', 'xva')
    const folder = dirname(file)
    await copyFile(file, join(folder, 'vm.xva.part'))
    await writeFile(join(folder, 'vm.xva.notes'), 'keep me\n')
    await writeFile(join(folder, 'other.txt'), 'keep me too\n')
    await copyFile(`${file}.sha256`, join(folder, 'other.txt.sha256'))
    const id = entryNamed(await library.list(), 'vm.xva').id
    const before = changes()
    await library.remove(id)
    expect(changes()).toBeGreaterThan(before)
    expect((await readdir(folder)).sort()).toEqual([
      'other.txt',
      'other.txt.sha256',
      'vm.xva.notes',
      'vm.xva.part',
    ])
    expect((await library.list()).map((e) => e.name)).toEqual(['other.txt'])
    const again = await failureOf(library.remove(id))
    expect(again.appError).toMatchObject({ code: 'not-found' })
    expect(again.message).toBe(`"${id}" was removed or moved.`)
  })
})

describe('Library.pathOf', () => {
  it('resolves a listed id to the file under the root', async () => {
    const { library } = newLibrary()
    const { file } = await exportInto(library, 'disk.raw', 'raw')
    expect(library.pathOf(entryNamed(await library.list(), 'disk.raw').id)).toBe(file)
  })

  it('refuses .., absolute paths, symlinks out of the root and other file types', async () => {
    const { library, root } = newLibrary()
    const folder = await library.ensureFolder(prod)
    const outside = join(tmp, 'outside')
    await mkdir(outside, { recursive: true })
    await writeFile(join(outside, 'secret.xva'), 'not yours')
    await symlink(join(outside, 'secret.xva'), join(folder, 'escape.xva'))
    await symlink(outside, join(root, 'linked-out'))
    await writeFile(join(folder, 'run.exe'), 'MZ')
    const f = basename(folder)
    // Each refused for its own reason, in words the user reads.
    const refusals: Array<[string, RegExp]> = [
      ['../x.xva', /points outside the library folder/],
      [`${f}/../../outside/secret.xva`, /points outside the library folder/],
      [join(folder, 'escape.xva'), /is an absolute path/],
      [join(outside, 'secret.xva'), /is an absolute path/],
      ['C:\\Users\\x\\vm.xva', /is an absolute path/],
      [`${f}/escape.xva`, /is a link to .*secret\.xva, outside the library folder/],
      ['linked-out/secret.xva', /is a link to .*secret\.xva, outside the library folder/],
      [`${f}/run.exe`, /holds only \.xva, \.ova, \.vhd, \.raw, \.img, \.txt and \.tgz files/],
      ['', /names no file/],
    ]
    for (const [id, why] of refusals) {
      const e = await failureOf(() => library.pathOf(id))
      expect(e.appError.code, id).toBe('invalid-input')
      expect(e.message, id).toMatch(/^XO Desk refused/)
      expect(e.message, id).toMatch(why)
      expect(e.appError.action, id).toMatch(/Library list/)
    }
    // Neither listed nor removable.
    expect(await library.list()).toEqual([])
    expect((await failureOf(library.remove(`${basename(folder)}/escape.xva`))).appError.code).toBe(
      'invalid-input',
    )
    expect(await readdir(outside)).toEqual(['secret.xva'])
    await rm(join(root, 'linked-out'))
  })
})

describe('Library.folderFor', () => {
  it('gives two instances labelled the same different folders, each listing its own exports', async () => {
    const { library, root } = newLibrary()
    const twin = { id: 'b2d4e6f8-0000-4000-8000-000000000002', label: 'Production' }
    expect(library.folderFor(twin)).not.toBe(library.folderFor(prod))
    expect(library.folderFor({ ...prod })).toBe(library.folderFor(prod))
    await exportInto(library, 'disk.raw', 'raw', prod)
    await exportInto(library, 'disk.raw', 'raw', twin)
    expect((await readdir(root)).length).toBe(2)
    const folders = (await library.list()).map((e) => e.folder)
    expect(new Set(folders).size).toBe(2)
    for (const f of folders) expect(f).toMatch(/^Production \([0-9a-f]{8}\)$/)
  })

  it('makes a label with / : and other reserved characters a safe single folder under the root', async () => {
    const { library, root } = newLibrary()
    const labels = ['prod/eu: main', 'a\\b*c?d"e<f>g|h', '..', 'CON', 'nul.txt', 'trailing. . ', '']
    for (const label of labels) {
      const folder = await library.ensureFolder({ id: `id-${label}`, label })
      expect(dirname(folder), label).toBe(root)
      const name = basename(folder)
      expect(name, label).not.toMatch(/[<>:"/\\|?*]/)
      expect(name, label).not.toMatch(/^\.|[. ]$/)
      expect(name.split(/[ .]/)[0], label).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i)
    }
    expect(basename(library.folderFor({ id: 'x', label: 'prod/eu: main' }))).toMatch(
      /^prod-eu- main \([0-9a-f]{8}\)$/,
    )
    expect((await readdir(root)).length).toBe(labels.length)
  })
})
