import { createHash } from 'node:crypto'
import { FormatError } from './format-error'
import { type XmlElement, XmlSyntaxError, childNamed, escapeXml, parseXml } from './xml'

/**
 * ova.xml, the first entry of an XVA: one XML-RPC value (XAPI's wire format) holding `version` and
 * `objects`, each object `{ class, id: 'Ref:N', snapshot: <the XAPI record> }`
 * (xapi-project/xen-api, ocaml/xapi/import.ml; docs/formats.md#xva).
 */
export type XmlRpcValue = string | number | boolean | XmlRpcValue[] | XmlRpcStruct
export interface XmlRpcStruct {
  [key: string]: XmlRpcValue
}

export function encodeXmlRpc(v: XmlRpcValue): string {
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`
  if (typeof v === 'number' && !Number.isInteger(v)) return `<value><double>${v}</double></value>`
  // XAPI sends its int64 fields as plain strings; so do we.
  if (typeof v === 'number' || typeof v === 'string')
    return `<value>${escapeXml(String(v))}</value>`
  if (Array.isArray(v))
    return `<value><array><data>${v.map(encodeXmlRpc).join('')}</data></array></value>`
  const members = Object.entries(v).map(
    ([k, x]) => `<member><name>${escapeXml(k)}</name>${encodeXmlRpc(x)}</member>`,
  )
  return `<value><struct>${members.join('')}</struct></value>`
}

export function decodeXmlRpc(value: XmlElement): XmlRpcValue {
  const typed = value.children[0]
  if (!typed) return value.text
  switch (typed.name) {
    case 'string':
    case 'dateTime.iso8601':
    case 'base64':
      return typed.text
    case 'boolean':
      return typed.text.trim() === '1'
    case 'int':
    case 'i4':
    case 'i8':
    case 'double':
      return Number(typed.text.trim())
    case 'nil':
      return ''
    case 'array':
      return (childNamed(typed, 'data')?.children ?? []).map(decodeXmlRpc)
    case 'struct': {
      const out: XmlRpcStruct = {}
      for (const m of typed.children) {
        const name = childNamed(m, 'name')
        const v = childNamed(m, 'value')
        if (m.name !== 'member' || !name || !v) throw new XmlSyntaxError('malformed struct member')
        out[name.text] = decodeXmlRpc(v)
      }
      return out
    }
    default:
      throw new XmlSyntaxError(`unknown XML-RPC type <${typed.name}>`)
  }
}

export interface XvaVm {
  name_label: string
  name_description?: string
  uuid: string
  /** Bytes (static and dynamic min/max are all set to it). */
  memory: number
  CPUs: number
  is_a_template?: boolean
}

export interface XvaVdiInfo {
  /** The `Ref:N` that names its chunk directory in the tar. */
  ref: string
  uuid: string
  name_label: string
  name_description?: string
  virtualSize: number
}

/** Stable UUIDs for the records we invent (VBDs, SR), so the same export gives the same bytes. */
function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const NULL_REF = 'OpaqueRef:NULL'

/** Builds ova.xml. VDI refs must already be assigned (`Ref:NNN`); the other records get refs here. */
export function buildOvaXml(vm: XvaVm, vdis: XvaVdiInfo[], date = new Date()): string {
  let next = 0
  const taken = new Set(vdis.map((d) => d.ref))
  const newRef = (): string => {
    let ref: string
    do ref = `Ref:${String(next++).padStart(3, '0')}`
    while (taken.has(ref))
    taken.add(ref)
    return ref
  }
  const vmRef = newRef()
  const srRef = newRef()
  const vbds = vdis.map((vdi, i) => ({
    vdi,
    ref: newRef(),
    uuid: derivedUuid(vm.uuid, 'vbd', vdi.uuid),
    i,
  }))
  const memory = String(vm.memory)
  const objects: XmlRpcStruct[] = [
    {
      class: 'VM',
      id: vmRef,
      snapshot: {
        uuid: vm.uuid,
        name_label: vm.name_label,
        name_description: vm.name_description ?? '',
        power_state: 'Halted',
        is_a_template: vm.is_a_template ?? false,
        is_a_snapshot: false,
        is_control_domain: false,
        domain_type: 'hvm',
        memory_static_min: memory,
        memory_static_max: memory,
        memory_dynamic_min: memory,
        memory_dynamic_max: memory,
        memory_target: memory,
        VCPUs_max: String(vm.CPUs),
        VCPUs_at_startup: String(vm.CPUs),
        VCPUs_params: {},
        actions_after_shutdown: 'destroy',
        actions_after_reboot: 'restart',
        actions_after_crash: 'restart',
        HVM_boot_policy: 'BIOS order',
        HVM_boot_params: { order: 'cd', firmware: 'bios' },
        HVM_shadow_multiplier: 1.5,
        platform: { acpi: '1', apic: 'true', pae: 'true', nx: 'true', viridian: 'false' },
        PV_args: '',
        PV_bootloader: '',
        PV_bootloader_args: '',
        PV_kernel: '',
        PV_ramdisk: '',
        PV_legacy_args: '',
        other_config: {},
        xenstore_data: {},
        blocked_operations: {},
        NVRAM: {},
        tags: [],
        user_version: '1',
        has_vendor_device: false,
        VBDs: vbds.map((b) => b.ref),
        VIFs: [],
        snapshots: [],
        parent: NULL_REF,
        snapshot_of: NULL_REF,
        affinity: NULL_REF,
        suspend_VDI: NULL_REF,
        guest_metrics: NULL_REF,
        metrics: NULL_REF,
        resident_on: NULL_REF,
      },
    },
    {
      class: 'SR',
      id: srRef,
      snapshot: {
        uuid: derivedUuid(vm.uuid, 'sr'),
        name_label: 'XO Desk export',
        content_type: 'user',
        VDIs: vdis.map((d) => d.ref),
      },
    },
  ]
  for (const { vdi, ref, uuid, i } of vbds) {
    objects.push({
      class: 'VDI',
      id: vdi.ref,
      snapshot: {
        uuid: vdi.uuid,
        name_label: vdi.name_label,
        name_description: vdi.name_description ?? '',
        virtual_size: String(vdi.virtualSize),
        physical_utilisation: String(vdi.virtualSize),
        type: 'user',
        SR: srRef,
        VBDs: [ref],
        sharable: false,
        read_only: false,
        managed: true,
        missing: false,
        is_a_snapshot: false,
        snapshot_of: NULL_REF,
        on_boot: 'persist',
        allow_caching: false,
        other_config: {},
        sm_config: {},
        xenstore_data: {},
        tags: [],
      },
    })
    objects.push({
      class: 'VBD',
      id: ref,
      snapshot: {
        uuid,
        VM: vmRef,
        VDI: vdi.ref,
        device: `xvd${String.fromCharCode(97 + (i % 26))}`,
        userdevice: String(i),
        bootable: i === 0,
        mode: 'RW',
        type: 'Disk',
        empty: false,
        unpluggable: false,
        currently_attached: false,
        other_config: {},
        qos_algorithm_type: '',
        qos_algorithm_params: {},
      },
    })
  }
  const version: XmlRpcStruct = {
    hostname: 'xo-desk',
    date: date.toISOString().slice(0, 10),
    product_version: '8.3.0',
    product_brand: 'XCP-ng',
    build_number: 'xo-desk',
    // XAPI refuses exports from a newer XAPI than itself; XO writes 1.20 for the same reason.
    xapi_major: '1',
    xapi_minor: '20',
    export_vsn: '2', // > 0: chunks carry inline checksums
  }
  return `<?xml version="1.0" ?>${encodeXmlRpc({ version, objects })}`
}

export interface OvaXmlSummary {
  vm: XvaVm
  vdis: XvaVdiInfo[]
  exportVersion: number
}

const bad = (msg: string): FormatError => new FormatError('xva', 'bad-ova-xml', `ova.xml: ${msg}`)

function isStruct(v: XmlRpcValue | undefined): v is XmlRpcStruct {
  return typeof v === 'object' && !Array.isArray(v)
}

function str(rec: XmlRpcStruct, key: string): string {
  const v = rec[key]
  return typeof v === 'string' || typeof v === 'number' ? String(v) : ''
}

function int(rec: XmlRpcStruct, key: string, what: string): number {
  const n = Number(str(rec, key))
  if (!Number.isSafeInteger(n) || n < 0) throw bad(`${what} has no valid ${key}`)
  return n
}

/** Parses ova.xml and pulls out the VM and its VDIs; `FormatError('bad-ova-xml')` otherwise. */
export function parseOvaXml(xml: string): OvaXmlSummary {
  let root: XmlRpcValue
  try {
    const el = parseXml(xml)
    if (el.name !== 'value') throw bad(`root element is <${el.name}>, expected <value>`)
    root = decodeXmlRpc(el)
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw bad(e.message)
    throw e
  }
  if (!isStruct(root) || !isStruct(root.version) || !Array.isArray(root.objects)) {
    throw bad('expected a struct with "version" and "objects"')
  }
  const objects = root.objects.filter(isStruct)
  const vmRec = objects.find((o) => o.class === 'VM' && isStruct(o.snapshot))
  if (!vmRec || !isStruct(vmRec.snapshot)) throw bad('no VM object')
  const vm = vmRec.snapshot
  const vdis = objects
    .filter((o) => o.class === 'VDI')
    .map((o): XvaVdiInfo => {
      const id = typeof o.id === 'string' ? o.id : ''
      if (!id.startsWith('Ref:') || !isStruct(o.snapshot))
        throw bad(`VDI object "${id}" is malformed`)
      const s = o.snapshot
      return {
        ref: id,
        uuid: str(s, 'uuid'),
        name_label: str(s, 'name_label'),
        name_description: str(s, 'name_description'),
        virtualSize: int(s, 'virtual_size', `VDI ${id}`),
      }
    })
  return {
    vm: {
      uuid: str(vm, 'uuid'),
      name_label: str(vm, 'name_label'),
      name_description: str(vm, 'name_description'),
      memory: int(vm, 'memory_static_max', 'the VM'),
      CPUs: int(vm, 'VCPUs_max', 'the VM'),
      is_a_template: vm.is_a_template === true,
    },
    vdis,
    exportVersion: Number(str(root.version, 'export_vsn')) || 0,
  }
}
