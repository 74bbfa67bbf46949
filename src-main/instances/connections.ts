import { randomUUID, X509Certificate } from 'node:crypto'
import { hostname as machineName } from 'node:os'
import type { AppError, InstanceCertificate, InstanceSettingsPatch } from '@contract'
import { AppFailure } from '../app-failure'
import type { Log } from '../log'
import type { CertificateInfo } from '../tls/certificate'
import { probeCertificate } from '../tls/probe'
import { pinnedPolicy, type TrustPolicy } from '../tls/trust'
import type { SecretStore } from '../vault/keychain'
import type { TokenVault } from '../vault/token-vault'
import { normalizeBaseUrl } from '../xo/base-url'
import { XoClient } from '../xo/client'
import { toXoAppError } from '../xo/errors'
import { checkAddress } from './address-policy'
import type { ConfigStore } from './config-store'
import { DEFAULT_COLOR, type InstanceConfig } from './instance-config'
import type { Instance, InstanceDetails, InstanceRegistry } from './instance-registry'

/** What a server showed on first contact, for the trust step of "Add an XO". */
export interface ServerInspection {
  /** The REST base URL the address normalises to. */
  url: string
  warnings: string[]
  /** The certificate it presented (https only). */
  certificate?: CertificateInfo
  /** True when this computer's CAs vouch for it and it covers the host name: no question to ask. */
  trustedBySystem: boolean
  /** Why not, in OpenSSL's words (`DEPTH_ZERO_SELF_SIGNED_CERT`). */
  authorizationError?: string
}

export type SignIn =
  | { method: 'token'; token: string }
  | {
      method: 'password'
      user: string
      password: string
      /** The one-time code, for an account with two-factor authentication (XO's `?otp=`). */
      otp?: string
      /** The token's lifetime as XO reads it: `30 days`, `12 hours`. */
      expiresIn?: string
    }

export interface NewInstance {
  name: string
  /** As the admin typed it: `xo.lab`, `https://10.0.0.5`… */
  address: string
  color?: string
  environment?: string
  readOnly?: boolean
  trust: TrustPolicy
  signIn: SignIn
  /** `session`: keep the token in memory only (no keychain on this computer). */
  tokenStorage?: 'keychain' | 'session'
}

/**
 * Opens a live connection for a saved instance (REST client + inventory), trusting its certificate
 * as `config.trust` says and reading its token from the same `tokens` vault.
 */
export type OpenInstance = (config: InstanceConfig) => Instance | Promise<Instance>

export interface ConnectionsOptions {
  store: ConfigStore
  /** The OS keychain (or a stand-in in tests). */
  secrets: SecretStore
  /** Tokens in memory while the app runs, read from `secrets` at start. */
  tokens: TokenVault
  /** Where live connections go; absent for the CLI, which connects per command. */
  live?: {
    registry: InstanceRegistry
    open: OpenInstance
    /** Deletes what was kept of a removed instance besides its settings (its inventory on disk). */
    forget?: (id: string) => Promise<void>
  }
  log: Log
  /** Names this computer in the token's description in XO (`XO Desk on <host>`). */
  machine?: string
}

const DEFAULT_TOKEN_LIFETIME = '30 days'

const DAY_MS = 24 * 3600_000
/** A certificate that ends within this is flagged on the Certificates screen. */
export const CERTIFICATE_WARNING_DAYS = 30

/** What the sidebar and banner show of a saved instance's settings (never its token). */
export function detailsOf(config: InstanceConfig): InstanceDetails {
  return {
    environment: config.environment,
    color: config.color,
    readOnly: config.readOnly,
    trust:
      config.trust.kind === 'pinned'
        ? { kind: 'pinned', fingerprint256: config.trust.fingerprint256 }
        : { kind: config.trust.kind },
    tokenStorage: config.tokenStorage,
    ...(config.tokenExpiresAt !== undefined ? { tokenExpiresAt: config.tokenExpiresAt } : {}),
    ...addressWarnings(config.url),
  }
}

/** The address warnings an instance keeps showing (plain HTTP, a public IP address). */
function addressWarnings(url: string): { warnings?: string[] } {
  try {
    const { warnings } = checkAddress(new URL(url))
    return warnings.length > 0 ? { warnings } : {}
  } catch {
    return {}
  }
}

/** Whole days left until `validTo` (negative once past), and whether that calls for a warning. */
export function certificateExpiry(
  validTo: string,
  now: number,
): Pick<InstanceCertificate, 'daysLeft' | 'expiry'> {
  const left = Date.parse(validTo) - now
  return {
    daysLeft: Math.floor(left / DAY_MS),
    expiry: left <= 0 ? 'expired' : left < CERTIFICATE_WARNING_DAYS * DAY_MS ? 'expiring' : 'ok',
  }
}

/**
 * The admin's own XO instances: their settings on disk, their tokens in the keychain, their live
 * connections. Adding one checks everything first (address, certificate, credentials) and saves
 * nothing until the token works, so a failed attempt leaves no trace.
 */
export class Connections {
  readonly #o: ConnectionsOptions
  #configs: InstanceConfig[] = []

  constructor(options: ConnectionsOptions) {
    this.#o = options
  }

  /** The saved instances, in the sidebar's order. */
  get configs(): readonly InstanceConfig[] {
    return this.#configs
  }

  /**
   * Reads the saved instances and connects to each whose token is at hand. Returns what the user
   * must be told: an unreadable settings file, a keychain that does not answer.
   */
  async start(): Promise<AppError[]> {
    const { config, notices } = await this.#o.store.load()
    this.#configs = config.instances
    for (const instance of this.#configs) {
      if (instance.tokenStorage === 'keychain') {
        try {
          const token = await this.#o.secrets.read(instance.id)
          if (token !== undefined) this.#o.tokens.set(instance.id, token)
        } catch (err) {
          notices.push(toXoAppError(err, { host: new URL(instance.url).host }))
          continue
        }
      }
      await this.#connect(instance)
    }
    return notices
  }

  /** Looks at an address before anything is saved: normalised URL, warnings, certificate. */
  async inspect(address: string, signal: AbortSignal): Promise<ServerInspection> {
    const url = normalizeBaseUrl(address)
    const { warnings } = checkAddress(url)
    const base = { url: url.href, warnings }
    if (url.protocol === 'http:') return { ...base, trustedBySystem: false }
    try {
      const probe = await probeCertificate(
        url.hostname.replace(/^\[|\]$/g, ''),
        Number(url.port || 443),
        { signal, timeoutMs: 10_000 },
      )
      return {
        ...base,
        certificate: probe.certificate,
        trustedBySystem: probe.trusted,
        ...(probe.authorizationError ? { authorizationError: probe.authorizationError } : {}),
      }
    } catch (err) {
      throw new AppFailure(...errorParts(toXoAppError(err, { host: url.host })))
    }
  }

  /**
   * Checks, then saves and connects a new instance: the address policy, the trust policy against
   * the server, the credentials (a password is exchanged for a token once, then forgotten). The
   * token goes to the keychain, the rest to the settings file.
   */
  async add(input: NewInstance, signal: AbortSignal): Promise<InstanceConfig> {
    const name = input.name.trim()
    if (name === '') {
      throw new AppFailure(
        'invalid-input',
        'The instance has no name.',
        'Give it a name, e.g. "Production".',
      )
    }
    if (this.#configs.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      throw new AppFailure(
        'conflict',
        `An instance named "${name}" already exists.`,
        'Choose another name, or remove the existing instance first.',
      )
    }
    const url = normalizeBaseUrl(input.address)
    checkAddress(url)
    const policy =
      input.trust.kind === 'pinned' ? pinnedPolicy(input.trust.fingerprint256) : input.trust
    if (policy.kind === 'ca') checkCaCertificates(policy.caPem)
    const { token, expiresAt } = await this.#obtainToken(url, policy, input.signIn, signal)
    const config: InstanceConfig = {
      id: randomUUID(),
      name,
      url: url.href,
      color: input.color ?? DEFAULT_COLOR,
      environment: input.environment?.trim() || 'production',
      signIn:
        input.signIn.method === 'password'
          ? { method: 'password', user: input.signIn.user }
          : { method: 'token' },
      readOnly: input.readOnly ?? false,
      trust: policy,
      tokenStorage: input.tokenStorage ?? 'keychain',
      ...(expiresAt !== undefined ? { tokenExpiresAt: expiresAt } : {}),
    }
    // The keychain first: if it fails, nothing was saved and the user can choose session-only.
    if (config.tokenStorage === 'keychain') await this.#o.secrets.write(config.id, token)
    try {
      const saved = await this.#o.store.update((file) => ({
        ...file,
        instances: [...file.instances, config],
      }))
      this.#configs = saved.instances
    } catch (err) {
      if (config.tokenStorage === 'keychain')
        await this.#o.secrets.erase(config.id).catch(() => false)
      throw err
    }
    this.#o.tokens.set(config.id, token)
    this.#o.log(`instances: added ${name} (${url.host})`)
    await this.#connect(config)
    return config
  }

  /** Removes an instance everywhere: its connection, its settings, its keychain entry. */
  async remove(id: string): Promise<void> {
    const config = this.#find(id)
    await this.#o.live?.registry.remove(config.id)
    await this.#o.live?.forget?.(config.id)
    const saved = await this.#o.store.update((file) => ({
      ...file,
      instances: file.instances.filter((c) => c.id !== config.id),
    }))
    this.#configs = saved.instances
    this.#o.tokens.delete(config.id)
    if (config.tokenStorage === 'keychain') await this.#o.secrets.erase(config.id)
    this.#o.log(`instances: removed ${config.name}`)
  }

  /**
   * Trusts another certificate for an instance (after its XO's certificate was replaced, and the
   * admin checked the new fingerprint), then reconnects it.
   */
  async retrust(idOrName: string, trust: TrustPolicy): Promise<InstanceConfig> {
    const config = this.#find(idOrName)
    const policy = trust.kind === 'pinned' ? pinnedPolicy(trust.fingerprint256) : trust
    const updated = await this.#save(config.id, (c) => ({ ...c, trust: policy }))
    this.#o.log(
      `instances: ${config.name} now trusts ${policy.kind === 'pinned' ? policy.fingerprint256 : policy.kind}`,
    )
    await this.#connect(updated)
    return updated
  }

  /** Replaces an instance's token (expired or revoked), keeping all its settings. */
  async signInAgain(
    idOrName: string,
    signIn: SignIn,
    signal: AbortSignal,
  ): Promise<InstanceConfig> {
    const config = this.#find(idOrName)
    const { token, expiresAt } = await this.#obtainToken(
      new URL(config.url),
      config.trust,
      signIn,
      signal,
    )
    if (config.tokenStorage === 'keychain') await this.#o.secrets.write(config.id, token)
    this.#o.tokens.set(config.id, token)
    const updated = await this.#save(config.id, (c) => {
      const { tokenExpiresAt: _old, ...rest } = c
      return {
        ...rest,
        signIn:
          signIn.method === 'password'
            ? { method: 'password', user: signIn.user }
            : { method: 'token' },
        ...(expiresAt !== undefined ? { tokenExpiresAt: expiresAt } : {}),
      }
    })
    this.#o.log(`instances: signed in to ${config.name} again`)
    await this.#connect(updated)
    return updated
  }

  /**
   * Changes an instance's name, colour, environment or read-only flag. Checked against the file
   * as it is on disk (another window or the CLI may have saved meanwhile), applied there, and
   * shown at once by the live connection, which keeps its token and its stream.
   */
  async update(idOrName: string, patch: InstanceSettingsPatch): Promise<InstanceConfig> {
    const config = this.#find(idOrName)
    const change = checkedPatch(patch)
    const updated = await this.#save(config.id, (c, all) => {
      if (change.name !== undefined) {
        const wanted = change.name.toLowerCase()
        const taken = all.find((o) => o.id !== c.id && o.name.toLowerCase() === wanted)
        if (taken) {
          throw new AppFailure(
            'conflict',
            `An instance named "${taken.name}" already exists.`,
            'Choose another name.',
          )
        }
      }
      return { ...c, ...change }
    })
    const instance = this.#o.live?.registry.has(updated.id)
      ? this.#o.live.registry.get(updated.id)
      : undefined
    if (instance) {
      instance.label = updated.name
      instance.details = { ...instance.details, ...detailsOf(updated) }
    }
    this.#o.log(`instances: changed the settings of ${updated.name}`)
    return updated
  }

  /**
   * Saves the sidebar's order: `ids` first, in that order. An instance saved meanwhile by another
   * window or the CLI, so not in `ids`, keeps its place after them rather than being lost.
   */
  async reorder(ids: readonly string[]): Promise<readonly InstanceConfig[]> {
    if (new Set(ids).size !== ids.length) {
      throw new AppFailure(
        'invalid-input',
        'The new order names an instance twice.',
        'Move the instance again.',
      )
    }
    const saved = await this.#o.store.update((file) => {
      const unknown = ids.find((id) => !file.instances.some((c) => c.id === id))
      if (unknown !== undefined) {
        throw new AppFailure(
          'not-found',
          'The new order names an instance that is no longer saved.',
          'Look at the instance list again, then move the instance again.',
        )
      }
      const rank = (id: string): number => {
        const at = ids.indexOf(id)
        return at === -1 ? ids.length : at
      }
      return {
        ...file,
        instances: [...file.instances].sort((a, b) => rank(a.id) - rank(b.id)),
      }
    })
    this.#configs = saved.instances
    this.#o.log('instances: saved a new order')
    return this.#configs
  }

  /**
   * Each saved instance's certificate as its server presents it now, beside how XO Desk trusts
   * it. Only a TLS handshake per instance (`probeCertificate`): no request, so no token, is sent.
   * An instance that cannot be reached is an entry with an error, not a failure of the list.
   */
  async certificates(
    signal: AbortSignal,
    now: number = Date.now(),
  ): Promise<InstanceCertificate[]> {
    return Promise.all(
      this.#configs.map(async (config): Promise<InstanceCertificate> => {
        const url = new URL(config.url)
        const base: InstanceCertificate = {
          instanceId: config.id,
          name: config.name,
          url: config.url,
          trust: detailsOf(config).trust ?? { kind: 'system' },
          trustedBySystem: false,
          changed: false,
        }
        if (url.protocol !== 'https:') return base
        try {
          const probe = await probeCertificate(
            url.hostname.replace(/^\[|\]$/g, ''),
            Number(url.port || 443),
            { signal, timeoutMs: 10_000 },
          )
          const { pem: _pem, ...presented } = probe.certificate
          return {
            ...base,
            presented,
            trustedBySystem: probe.trusted,
            changed:
              config.trust.kind === 'pinned' &&
              config.trust.fingerprint256 !== presented.fingerprint256,
            ...certificateExpiry(presented.validTo, now),
          }
        } catch (err) {
          return { ...base, error: toXoAppError(err, { host: url.host }) }
        }
      }),
    )
  }

  async #save(
    id: string,
    change: (config: InstanceConfig, all: readonly InstanceConfig[]) => InstanceConfig,
  ): Promise<InstanceConfig> {
    let updated: InstanceConfig | undefined
    const saved = await this.#o.store.update((file) => ({
      ...file,
      instances: file.instances.map((c) =>
        c.id === id ? (updated = change(c, file.instances)) : c,
      ),
    }))
    this.#configs = saved.instances
    if (!updated) return this.#find(id)
    return updated
  }

  /** An instance by id or by name (case-insensitive), as the CLI's `--instance` names it. */
  find(idOrName: string): InstanceConfig | undefined {
    const wanted = idOrName.toLowerCase()
    return (
      this.#configs.find((c) => c.id === idOrName) ??
      this.#configs.find((c) => c.name.toLowerCase() === wanted)
    )
  }

  #find(idOrName: string): InstanceConfig {
    const config = this.find(idOrName)
    if (!config) {
      throw new AppFailure(
        'not-found',
        `No XO instance is named "${idOrName}".`,
        'Check the name in the instance list.',
      )
    }
    return config
  }

  async #obtainToken(
    url: URL,
    policy: TrustPolicy,
    signIn: SignIn,
    signal: AbortSignal,
  ): Promise<{ token: string; expiresAt?: number }> {
    let token = signIn.method === 'token' ? signIn.token.trim() : undefined
    const client = new XoClient({ baseUrl: url, token: () => token, trust: policy })
    try {
      let expiresAt: number | undefined
      if (signIn.method === 'password') {
        const record = await client.createToken(
          {
            username: signIn.user,
            password: signIn.password,
            ...(signIn.otp ? { otp: signIn.otp } : {}),
            expiresIn: signIn.expiresIn ?? DEFAULT_TOKEN_LIFETIME,
            description: `XO Desk on ${this.#o.machine ?? machineName()}`,
          },
          signal,
        )
        token = record.id
        expiresAt = record.expiration
      }
      if (!token) {
        throw new AppFailure('invalid-input', 'The token is empty.', 'Paste the token XO gave you.')
      }
      // A read that needs the token proves it works before anything is saved.
      await client.list('pools', { fields: ['id'], limit: 1 }, signal)
      return { token, ...(expiresAt !== undefined ? { expiresAt } : {}) }
    } finally {
      await client.close()
    }
  }

  async #connect(config: InstanceConfig): Promise<void> {
    if (!this.#o.live) return
    await this.#o.live.registry.add(await this.#o.live.open(config))
  }

  /** The token of an instance, from memory or the keychain; undefined when none is stored. */
  async tokenOf(config: InstanceConfig): Promise<string | undefined> {
    const held = this.#o.tokens.get(config.id)
    if (held !== undefined || config.tokenStorage === 'session') return held
    const token = await this.#o.secrets.read(config.id)
    if (token !== undefined) this.#o.tokens.set(config.id, token)
    return token
  }
}

/** A settings patch checked and tidied (trimmed name and label, lower-case colour). */
function checkedPatch(patch: InstanceSettingsPatch): InstanceSettingsPatch {
  const out: InstanceSettingsPatch = {}
  if (patch.name !== undefined) {
    const name = patch.name.trim()
    if (name === '' || name.length > 100) {
      throw new AppFailure(
        'invalid-input',
        name === '' ? 'The instance has no name.' : 'The name is longer than 100 characters.',
        'Give it a short name, e.g. "Production".',
      )
    }
    out.name = name
  }
  if (patch.color !== undefined) {
    if (!/^#[0-9a-f]{6}$/i.test(patch.color)) {
      throw new AppFailure(
        'invalid-input',
        `"${patch.color}" is not a colour XO Desk can show.`,
        'Pick a colour as #rrggbb, e.g. #2f6fde.',
      )
    }
    out.color = patch.color.toLowerCase()
  }
  if (patch.environment !== undefined) {
    const environment = patch.environment.trim()
    if (environment === '' || environment.length > 40) {
      throw new AppFailure(
        'invalid-input',
        environment === ''
          ? 'The environment label is empty.'
          : 'The environment label is longer than 40 characters.',
        'Use a short label such as production, staging or lab.',
      )
    }
    out.environment = environment
  }
  if (patch.readOnly !== undefined) out.readOnly = patch.readOnly
  return out
}

function errorParts(e: AppError): [AppError['code'], string, string, boolean] {
  return [e.code, e.message, e.action, e.retryable]
}

/** An organisation's CA must be a readable PEM certificate that may sign others. */
function checkCaCertificates(pems: string[]): void {
  for (const pem of pems) {
    let ca: X509Certificate
    try {
      ca = new X509Certificate(pem)
    } catch {
      throw new AppFailure(
        'invalid-input',
        'The certificate authority given is not a readable PEM certificate.',
        'Paste the CA certificate as PEM, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.',
      )
    }
    if (!ca.ca) {
      throw new AppFailure(
        'invalid-input',
        `The certificate given (${ca.subject.replace(/\n/g, ', ')}) is not a certificate authority.`,
        "Paste the certificate of the authority that signed XO's certificate, not XO's own.",
      )
    }
  }
}
