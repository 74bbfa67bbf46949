/**
 * The offline library: the exports on this computer, one folder per XO instance under a root the
 * admin chooses, listed and checked by main with no XO server (src-main/library/library.ts).
 */

/**
 * A library file's id: its path relative to the library root, `/`-separated (`Prod (1a2b3c4d)/vm.xva`,
 * or `vm.xva` for a loose file at the root). The renderer sends it back to verify, remove or import.
 */
export type LibraryEntryId = string

/** From the file's name: `.img` is a raw disk; `.txt` and `.tgz` are host audit logs and log tarballs. */
export type LibraryFormat = 'xva' | 'ova' | 'vhd' | 'raw' | 'txt' | 'tgz'

/** `NAME.xodesk.json`, written by XO Desk next to each export: what it is and where it came from. */
export interface LibrarySidecar {
  xoDesk: { version: string }
  /** `instance`: the app's name for the instance; `url`: the XO REST base; `pool`: its uuid. */
  source: { instance?: string; url: string; pool?: string }
  object: {
    /** `host`: a host's audit log or log tarball (`.txt`, `.tgz`). */
    type: 'VM' | 'VM-snapshot' | 'VM-template' | 'VDI' | 'VDI-snapshot' | 'host'
    uuid: string
    name?: string
  }
  /** For snapshots: when it was taken (ISO 8601). */
  snapshotTime?: string
  format: 'xva' | 'ova' | 'vhd' | 'raw' | 'txt' | 'tgz'
  compression: 'gzip' | 'zstd' | 'none'
  /** Bytes written. */
  size: number
  /** null: exported without a checksum, so there is no `NAME.sha256`. */
  sha256: string | null
  /** ISO 8601. */
  exportedAt: string
}

/**
 * The file against its `NAME.sha256`: `missing` when there is none, `unverified` until checked (or
 * after the file changed), `verifying` while its SHA-256 is computed.
 */
export type ChecksumState = 'unverified' | 'verifying' | 'verified' | 'mismatch' | 'missing'

export interface LibraryChecksum {
  state: ChecksumState
  /** The digest `NAME.sha256` records (lower-case hex). */
  expected?: string
  /** The digest computed from the file, once verified. */
  actual?: string
  /** When it was last verified (ms since the epoch). */
  checkedAt?: number
  /** Why `NAME.sha256` gives no digest although it exists (not a sha256sum line). */
  problem?: string
}

export interface LibraryDisk {
  name: string
  /** Bytes of virtual content. */
  virtualSize: number
}

/** What reading the file found: the VM and its disks, a disk's type and size, or a log. */
export type LibraryContents =
  | {
      kind: 'xva' | 'ova'
      /** `none`, `gzip` or `zstd`. */
      compression: string
      vm: { name: string; CPUs?: number; memory?: number }
      disks: LibraryDisk[]
      /** XVA: every chunk checksum verified; OVA: the manifest's digests, when present. */
      checksums: 'verified' | 'absent'
    }
  | {
      kind: 'vhd'
      diskType: 'fixed' | 'dynamic' | 'differencing'
      virtualSize: number
      creatorApp: string
      blockSize?: number
      allocatedBlocks?: number
    }
  | { kind: 'raw'; virtualSize: number }
  /** `.txt` and `.tgz`: host audit logs and log tarballs, listed as they are (not read). */
  | { kind: 'log' }

/** One file of the library as the Library view lists it. */
export interface LibraryEntry {
  id: LibraryEntryId
  /** The instance folder it is in; `''` for a loose file at the root. */
  folder: string
  /** The file name. */
  name: string
  /** Bytes on disk. */
  size: number
  /** Last modification (ms since the epoch). */
  modifiedAt: number
  format: LibraryFormat
  /** `NAME.xodesk.json`, when present and valid. */
  sidecar?: LibrarySidecar
  checksum: LibraryChecksum
  /** Absent while the file is read (`inspecting`) and when it is not valid (`invalid`). */
  contents?: LibraryContents
  /** True while main reads the file in the background; main signals a change when it is done. */
  inspecting?: boolean
  /** Why the file is not a valid image (the message says the byte offset and field), and what to do. */
  invalid?: { message: string; action: string }
}

/** The library's root folder and its files. */
export interface LibraryListing {
  root: string
  entries: LibraryEntry[]
}

/** A file dropped on the window, read before it may be imported. */
export interface DroppedFile {
  path: string
  name: string
  size: number
  format: 'xva' | 'ova' | 'vhd' | 'raw'
  /** What it holds, when it is a valid image. */
  contents?: LibraryContents
  /** Why it cannot be imported: where it is damaged, and what to do. */
  invalid?: { message: string; action: string }
}
