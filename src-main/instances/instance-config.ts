import { z } from 'zod'
import { normalizeFingerprint } from '../tls/certificate'

/**
 * The settings of one XO instance that may be written to disk: nothing secret. The token lives in
 * the OS keychain (one entry per instance id), never here.
 */
const trustSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('system') }).strict(),
  z
    .object({
      kind: z.literal('ca'),
      caPem: z.array(z.string().includes('BEGIN CERTIFICATE')).min(1),
    })
    .strict(),
  z
    .object({
      kind: z.literal('pinned'),
      fingerprint256: z
        .string()
        .refine((v) => normalizeFingerprint(v) === v, 'not a SHA-256 fingerprint'),
    })
    .strict(),
])

export const instanceConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    name: z.string().min(1).max(100),
    /** The REST base URL, `https://xo.lab/rest/v0` (normalised when added). */
    url: z.string().url(),
    color: z.string().regex(/^#[0-9a-f]{6}$/i),
    /** `production`, `staging`, `lab` or the admin's own label; shown as a banner. */
    environment: z.string().min(1).max(40),
    signIn: z.discriminatedUnion('method', [
      z.object({ method: z.literal('token') }).strict(),
      z.object({ method: z.literal('password'), user: z.string().min(1) }).strict(),
    ]),
    readOnly: z.boolean(),
    trust: trustSchema,
    /** Where the token is kept: the keychain, or memory for this session only (no keychain). */
    tokenStorage: z.enum(['keychain', 'session']),
    /** When the token stops working (ms since the epoch), when XO said so. */
    tokenExpiresAt: z.number().int().positive().optional(),
  })
  .strict()

export type InstanceConfig = z.infer<typeof instanceConfigSchema>

export const CONFIG_VERSION = 2

export interface ConfigFile {
  version: typeof CONFIG_VERSION
  instances: InstanceConfig[]
}

export const emptyConfig = (): ConfigFile => ({ version: CONFIG_VERSION, instances: [] })

/** Version 1 (XO Desk 0.1 previews): a name, a URL and an optional pinned fingerprint. */
const v1InstanceSchema = z.object({
  id: z.string(),
  label: z.string(),
  url: z.string(),
  fingerprint: z.string().optional(),
})

export const DEFAULT_COLOR = '#2f6fde'

/** Each migration turns version N's instance list into version N+1's. */
const MIGRATIONS: Record<number, (instances: unknown[]) => unknown[]> = {
  1: (instances) =>
    instances.map((raw) => {
      const parsed = v1InstanceSchema.safeParse(raw)
      if (!parsed.success) return raw // left for the version-2 check to report
      const v1 = parsed.data
      const pin = v1.fingerprint === undefined ? undefined : normalizeFingerprint(v1.fingerprint)
      return {
        id: v1.id,
        name: v1.label,
        url: v1.url,
        color: DEFAULT_COLOR,
        environment: 'lab',
        signIn: { method: 'token' },
        readOnly: false,
        trust: pin ? { kind: 'pinned', fingerprint256: pin } : { kind: 'system' },
        tokenStorage: 'keychain',
      }
    }),
}

/** What could be read from a config file, and what could not (each said in words). */
export interface ParsedConfig {
  config: ConfigFile
  /** Entries that were dropped, e.g. `instance 2 ("prod"): url: Invalid URL`. */
  problems: string[]
}

/**
 * Reads any known version of the file, migrating it to the current one. An entry that fails the
 * schema is dropped and reported; the others are kept, so one bad entry loses nothing else.
 * Throws for a file that is not a config at all (or from a newer XO Desk).
 */
export function parseConfig(data: unknown): ParsedConfig {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error('not an XO Desk settings file')
  }
  const { version, instances } = data as { version?: unknown; instances?: unknown }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new Error('no settings version')
  }
  if (version > CONFIG_VERSION) {
    throw new Error(`written by a newer XO Desk (settings version ${version})`)
  }
  if (!Array.isArray(instances)) throw new Error('no instance list')
  let list: unknown[] = instances
  for (let v = version; v < CONFIG_VERSION; v++) list = MIGRATIONS[v]?.(list) ?? list
  const problems: string[] = []
  const kept: InstanceConfig[] = []
  const ids = new Set<string>()
  list.forEach((raw, index) => {
    const parsed = instanceConfigSchema.safeParse(raw)
    const name = (raw as { name?: unknown; label?: unknown } | null)?.name
    const label = typeof name === 'string' ? ` ("${name}")` : ''
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      problems.push(
        `instance ${index + 1}${label}: ${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}`,
      )
    } else if (ids.has(parsed.data.id)) {
      problems.push(`instance ${index + 1}${label}: the id ${parsed.data.id} is used twice`)
    } else {
      ids.add(parsed.data.id)
      kept.push(parsed.data)
    }
  })
  return { config: { version: CONFIG_VERSION, instances: kept }, problems }
}
