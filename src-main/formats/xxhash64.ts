/**
 * XXH64 (seed 0), the checksum XAPI and XO write next to each XVA chunk as `.xxhash`
 * (xapi-project/xen-api, ocaml/xapi/stream_vdi.ml; docs/formats.md#xva). Node has no built-in
 * xxhash; `xxhash-wasm` computes it in WebAssembly at memory speed, so checksums never slow an
 * export or an import down.
 */
import xxhash from 'xxhash-wasm'

const { h64Raw } = await xxhash()

/** XXH64 of the bytes as 16 upper-case hex digits: XAPI writes and compares `%016LX`. */
export function xxhash64Hex(data: Uint8Array): string {
  return h64Raw(data).toString(16).toUpperCase().padStart(16, '0')
}
