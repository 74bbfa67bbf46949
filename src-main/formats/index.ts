// Disk and VM image formats: plain Node, no Electron. Writers for the simulator's exports,
// validators for imports and for the app's checks before an upload (docs/formats.md).
export {
  DISK_BLOCK_SIZE,
  SECTOR_SIZE,
  type DiskContent,
  type DeterministicDiskOptions,
  allocatedBlockCount,
  blockLength,
  deterministicDisk,
  diskDigest,
  diskFromBuffer,
  diskFromFile,
  diskFromSparseFile,
  isAllZero,
} from './disk-content'
export { FormatError, type FormatName, type FormatReason } from './format-error'
export { ovaStream, readOva, type OvaDiskSummary, type OvaInfo, type OvaStreamOptions } from './ova'
export { rawStream } from './raw'
export { SNIFF_BYTES, sniffFormat, type SniffedFormat } from './sniff'
export {
  readVhd,
  readVhdData,
  vhdLength,
  vhdRawStream,
  vhdStream,
  type ReadVhdOptions,
  type SizedStream,
  type VhdInfo,
  type VhdStreamOptions,
} from './vhd'
export {
  XVA_CHUNK_SIZE,
  readXva,
  xvaStream,
  type XvaDiskInput,
  type XvaDiskSummary,
  type XvaInfo,
  type XvaInput,
  type XvaStreamOptions,
  type XvaVm,
} from './xva'
