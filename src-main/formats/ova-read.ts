import { createHash, type Hash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { streamSource } from './byte-source'
import { FormatError, type FormatReason } from './format-error'
import { type Compression, type TarEntry, openTar, readEntry, skipEntry } from './tar-read'
import { readVmdk } from './vmdk-read'
import {
  type XmlElement,
  XmlSyntaxError,
  attr,
  childNamed,
  childrenNamed,
  localName,
  parseXml,
} from './xml'

export interface OvfSummary {
  fileName: string
  name: string
  id: string
  description: string
  CPUs?: number
  /** Bytes. */
  memory?: number
  files: { id: string; href: string; size?: number }[]
  disks: { diskId: string; fileRef: string; capacity: number; format: string }[]
}

export interface OvaDiskSummary {
  /** File name in the archive (the OVF `href`). */
  name: string
  diskId: string
  /** `vmdk` for the files we can read, else the file extension. */
  format: string
  /** VMDK `createType`, e.g. `streamOptimized`. */
  variant?: string
  virtualSize: number
  /** OVF `capacity` in bytes, which may be rounded by the producer. */
  capacity: number
  digest?: string
}

export interface OvaInfo {
  compression: Compression
  descriptor: OvfSummary
  disks: OvaDiskSummary[]
  manifest: 'verified' | 'absent'
}

const fail = (reason: FormatReason, msg: string): FormatError => new FormatError('ova', reason, msg)
const MAX_OVF = 16 * 1024 * 1024

/** `byte * 2^20` → 1048576; OVF's programmatic units for capacity and memory. */
function unitBytes(units: string | undefined): number {
  if (!units) return 1
  const m = /^\s*byte\s*(?:\*\s*(\d+)\s*\^\s*(\d+))?\s*$/i.exec(units)
  if (!m) throw fail('bad-ovf', `unsupported allocation units "${units}"`)
  return m[1] && m[2] ? Number(m[1]) ** Number(m[2]) : 1
}

function num(text: string | undefined, what: string): number {
  const n = Number(text)
  if (text === undefined || text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw fail('bad-ovf', `${what} is not a number: "${text ?? ''}"`)
  }
  return n
}

export function parseOvf(text: string, fileName: string): OvfSummary {
  let env: XmlElement
  try {
    env = parseXml(text)
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw fail('bad-ovf', `${fileName}: ${e.message}`)
    throw e
  }
  if (localName(env.name) !== 'Envelope')
    throw fail('bad-ovf', `${fileName}: root is not <Envelope>`)
  const refs = childNamed(env, 'References')
  const files = (refs ? childrenNamed(refs, 'File') : []).map((f) => {
    const size = attr(f, 'size')
    return {
      id: attr(f, 'id') ?? '',
      href: attr(f, 'href') ?? '',
      ...(size === undefined ? {} : { size: num(size, 'File size') }),
    }
  })
  const diskSection = childNamed(env, 'DiskSection')
  const disks = (diskSection ? childrenNamed(diskSection, 'Disk') : []).map((d) => ({
    diskId: attr(d, 'diskId') ?? '',
    fileRef: attr(d, 'fileRef') ?? '',
    capacity:
      num(attr(d, 'capacity'), 'Disk capacity') * unitBytes(attr(d, 'capacityAllocationUnits')),
    format: attr(d, 'format') ?? '',
  }))
  const vs = childNamed(env, 'VirtualSystem') ?? childNamed(env, 'VirtualSystemCollection')
  if (!vs) throw fail('bad-ovf', `${fileName}: no VirtualSystem`)
  const hw = childNamed(vs, 'VirtualHardwareSection')
  const items = hw ? childrenNamed(hw, 'Item') : []
  const field = (item: XmlElement, name: string): string | undefined =>
    childNamed(item, name)?.text.trim()
  const byType = (t: number): XmlElement | undefined =>
    items.find((i) => field(i, 'ResourceType') === String(t))
  const cpu = byType(3)
  const mem = byType(4)
  const summary: OvfSummary = {
    fileName,
    name: childNamed(vs, 'Name')?.text.trim() ?? attr(vs, 'id') ?? '',
    id: attr(vs, 'id') ?? '',
    description: childNamed(childNamed(vs, 'AnnotationSection') ?? vs, 'Annotation')?.text ?? '',
    files,
    disks,
  }
  if (cpu) summary.CPUs = num(field(cpu, 'VirtualQuantity'), 'CPU count')
  if (mem) {
    summary.memory =
      num(field(mem, 'VirtualQuantity'), 'memory') * unitBytes(field(mem, 'AllocationUnits'))
  }
  for (const d of disks) {
    if (!files.some((f) => f.id === d.fileRef)) {
      throw fail('bad-ovf', `${fileName}: disk ${d.diskId} refers to unknown file "${d.fileRef}"`)
    }
  }
  return summary
}

/** An entry's bytes, hashed on the way (for the manifest) while a reader consumes them. */
async function* hashed(entry: TarEntry, hashes: Hash[]): AsyncGenerator<Buffer> {
  for await (const chunk of entry.body) {
    const buf = chunk as Buffer
    for (const h of hashes) h.update(buf)
    yield buf
  }
}

function parseManifest(text: string): Map<string, { algo: string; digest: string }> {
  const out = new Map<string, { algo: string; digest: string }>()
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue
    const m = /^(SHA1|SHA256|SHA512)\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$/.exec(line.trim())
    if (!m) throw fail('bad-ovf', `manifest line not understood: "${line}"`)
    out.set(m[2]!, { algo: m[1]!.toLowerCase(), digest: m[3]!.toLowerCase() })
  }
  return out
}

/**
 * Validates an OVA in one pass: `.ovf` first, parseable; every referenced file present with its
 * declared size; VMDKs structurally sound (streamOptimized ones fully inflated and hashed); a `.mf`
 * manifest verified when present (DMTF's OVF specification, DSP0243); tar end-of-archive. Throws
 * `FormatError`.
 */
export async function readOva(
  source: Readable,
  options: { digest?: boolean } = {},
): Promise<OvaInfo> {
  const tar = await openTar(source, 'ova')
  try {
    let descriptor: OvfSummary | undefined
    let firstName: string | undefined
    let manifest: Map<string, { algo: string; digest: string }> | undefined
    const digests = new Map<string, Record<string, string>>()
    const disks: OvaDiskSummary[] = []
    for await (const entry of tar.entries) {
      firstName ??= entry.name
      if (entry.name.endsWith('.ovf')) {
        if (entry.name !== firstName) {
          throw fail(
            'ovf-not-first',
            `the descriptor must be the first entry, "${firstName}" comes first`,
          )
        }
        const buf = await readEntry(entry, MAX_OVF, 'ova')
        descriptor = parseOvf(buf.toString('utf8'), entry.name)
        digests.set(entry.name, hexes(buf))
        continue
      }
      if (!descriptor) {
        await skipEntry(entry)
        continue
      }
      if (entry.name.endsWith('.mf')) {
        manifest = parseManifest((await readEntry(entry, MAX_OVF, 'ova')).toString('utf8'))
        continue
      }
      // Hash what the manifest asks for; before a manifest is seen, the two algorithms tools use.
      const listed = manifest?.get(entry.name)?.algo
      const algos = listed ? [listed] : manifest ? [] : ['sha1', 'sha256']
      const hashes = algos.map((a) => ({ a, h: createHash(a) }))
      const body = hashed(
        entry,
        hashes.map((x) => x.h),
      )
      const file = descriptor.files.find((f) => f.href === entry.name)
      const disk = file && descriptor.disks.find((d) => d.fileRef === file.id)
      if (file?.size !== undefined && file.size !== entry.size) {
        throw fail(
          'size-mismatch',
          `${entry.name} is ${entry.size} bytes, the descriptor says ${file.size}`,
        )
      }
      if (disk && entry.name.toLowerCase().endsWith('.vmdk')) {
        const vmdk = await readVmdk(streamSource(body), options)
        disks.push({
          name: entry.name,
          diskId: disk.diskId,
          format: 'vmdk',
          variant: vmdk.createType,
          virtualSize: vmdk.virtualSize,
          capacity: disk.capacity,
          ...(vmdk.digest ? { digest: vmdk.digest } : {}),
        })
      } else {
        for await (const c of body) void c
        if (disk) {
          const format = /\.([^.]+)$/.exec(entry.name)?.[1] ?? 'unknown'
          const { capacity, diskId } = disk
          disks.push({ name: entry.name, diskId, format, virtualSize: capacity, capacity })
        }
      }
      digests.set(entry.name, Object.fromEntries(hashes.map(({ a, h }) => [a, h.digest('hex')])))
    }
    if (!descriptor) {
      if (firstName === undefined) tar.finish()
      throw fail('missing-ovf', 'the archive has no .ovf descriptor: not an OVA')
    }
    for (const d of descriptor.disks) {
      const f = descriptor.files.find((x) => x.id === d.fileRef)
      if (!f || !digests.has(f.href)) {
        throw fail('missing-disk', `disk file "${f?.href ?? d.fileRef}" is not in the archive`)
      }
    }
    for (const [name, { algo, digest }] of manifest ?? []) {
      const seen = digests.get(name)
      const got = seen?.[algo]
      if (!seen) {
        throw fail('missing-disk', `the manifest lists "${name}", which is not in the archive`)
      }
      if (got === undefined) {
        // Only when a manifest placed after the files uses an algorithm we did not run ahead.
        throw fail('unsupported-checksum', `cannot check ${name}: ${algo} manifest after the file`)
      }
      if (got !== digest) {
        throw fail(
          'checksum-mismatch',
          `${name} is damaged: ${algo} ${got}, manifest says ${digest}`,
        )
      }
    }
    tar.finish()
    return {
      compression: tar.compression,
      descriptor,
      disks,
      manifest: manifest ? 'verified' : 'absent',
    }
  } catch (e) {
    throw tar.classify(e)
  }
}

function hexes(buf: Buffer): Record<string, string> {
  const h = (a: string): string => createHash(a).update(buf).digest('hex')
  return { sha1: h('sha1'), sha256: h('sha256'), sha512: h('sha512') }
}
