/** Which file format a validator was reading when it gave up. */
export type FormatName = 'vhd' | 'xva' | 'ova' | 'vmdk' | 'tar'

/**
 * Why a file was refused. Stable strings: the app maps them to readable advice, tests assert them.
 * The message carries the details (offsets, names, expected and found values).
 */
export type FormatReason =
  // any format
  | 'truncated'
  | 'bad-field'
  // VHD (docs/formats.md#vhd)
  | 'bad-cookie'
  | 'bad-checksum'
  | 'unsupported-version'
  | 'differencing'
  | 'footer-mismatch'
  | 'bat-out-of-range'
  | 'bat-overlap'
  | 'unordered-blocks'
  // tar containers (XVA, OVA)
  | 'not-tar'
  | 'corrupt-tar'
  | 'corrupt-compression'
  // XVA (docs/formats.md#xva)
  | 'missing-ova-xml'
  | 'ova-xml-not-first'
  | 'bad-ova-xml'
  | 'unexpected-entry'
  | 'chunk-order'
  | 'missing-checksum'
  | 'unsupported-checksum'
  | 'checksum-mismatch'
  | 'size-mismatch'
  // OVA / VMDK
  | 'missing-ovf'
  | 'ovf-not-first'
  | 'bad-ovf'
  | 'missing-disk'
  | 'bad-vmdk'

/** A file that is not what it claims to be, or that XO would refuse. Never a bug of ours. */
export class FormatError extends Error {
  readonly format: FormatName
  readonly reason: FormatReason

  constructor(format: FormatName, reason: FormatReason, message: string) {
    super(`${format.toUpperCase()}: ${message}`)
    this.name = 'FormatError'
    this.format = format
    this.reason = reason
  }
}
