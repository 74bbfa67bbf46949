// XO's published OpenAPI spec, fetched from the npm registry into an ignored cache (.cache/), never
// committed: it ships in @xen-orchestra/rest-api, which is AGPL. Used by tests and generators only.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'

/** The XO REST API version XO Desk targets (docs/xo-rest-api.md). */
export const XO_REST_API_VERSION = '0.39.0'
const PACKAGE = '@xen-orchestra/rest-api'
const CACHE = resolve(import.meta.dirname, '..', '.cache', `xo-rest-api-${XO_REST_API_VERSION}`)
export const SPEC_PATH = join(CACHE, 'swagger.json')

export interface OpenApiSpec {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, OpenApiOperation>>
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
}

export interface OpenApiOperation {
  operationId?: string
  tags?: string[]
  summary?: string
  deprecated?: boolean
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[]
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> }
  responses: Record<
    string,
    { description?: string; content?: Record<string, { schema?: unknown }> }
  >
  security?: Record<string, string[]>[]
}

/** Reads one file out of a .tgz (npm's package format) without a tar dependency. */
function extractFromTgz(tgz: string, wanted: string): Buffer {
  const tar = gunzipSync(readFileSync(tgz))
  for (let offset = 0; offset + 512 <= tar.length;) {
    const name = tar.toString('utf8', offset, offset + 100).replace(/\0.*$/s, '')
    const prefix = tar.toString('utf8', offset + 345, offset + 500).replace(/\0.*$/s, '')
    const size = parseInt(
      tar
        .toString('utf8', offset + 124, offset + 136)
        .replace(/\0.*$/s, '')
        .trim() || '0',
      8,
    )
    if (name === '') break
    const full = prefix ? `${prefix}/${name}` : name
    if (full === wanted) return tar.subarray(offset + 512, offset + 512 + size)
    offset += 512 + Math.ceil(size / 512) * 512
  }
  throw new Error(`${wanted} is not in ${tgz}`)
}

/** Fetches the spec with `npm pack` if it is not cached yet; returns its path. */
export function ensureSpec(): string {
  if (existsSync(SPEC_PATH)) return SPEC_PATH
  mkdirSync(CACHE, { recursive: true })
  execFileSync(
    'npm',
    ['pack', `${PACKAGE}@${XO_REST_API_VERSION}`, '--silent', '--pack-destination', CACHE],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  const tgz = readdirSync(CACHE).find((f) => f.endsWith('.tgz'))
  if (!tgz)
    throw new Error(`npm pack ${PACKAGE}@${XO_REST_API_VERSION} wrote no archive in ${CACHE}`)
  writeFileSync(SPEC_PATH, extractFromTgz(join(CACHE, tgz), 'package/open-api/spec/swagger.json'))
  return SPEC_PATH
}

export function loadSpec(): OpenApiSpec {
  return JSON.parse(readFileSync(ensureSpec(), 'utf8')) as OpenApiSpec
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureSpec())
