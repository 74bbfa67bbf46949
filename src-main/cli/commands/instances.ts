import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { toAppError } from '../../app-failure'
import { configDir } from '../../instances/config-dir'
import { ConfigStore } from '../../instances/config-store'
import { Connections, type SignIn } from '../../instances/connections'
import type { InstanceConfig } from '../../instances/instance-config'
import type { CertificateInfo } from '../../tls/certificate'
import { normalizeFingerprint } from '../../tls/certificate'
import type { TrustPolicy } from '../../tls/trust'
import { KeychainStore, type SecretStore } from '../../vault/keychain'
import { MemoryVault } from '../../vault/memory-vault'
import type { CliIo } from '../run'
import { explain, usageError } from '../output'

export const INSTANCES_USAGE = `Usage:
  xo-desk instances list [--json]
  xo-desk instances add NAME --url URL (--token-stdin | --user USER [--password-stdin] [--otp CODE])
                        [--trust SHA256 | --ca FILE.pem] [--env production|staging|lab|NAME]
                        [--color '#rrggbb'] [--read-only] [--expires '30 days']
  xo-desk instances remove NAME
  xo-desk instances rename OLD NEW
  xo-desk instances set NAME [--env production|staging|lab|NAME] [--color '#rrggbb']
                        [--read-only | --writable]
  xo-desk instances login NAME (--token-stdin | [--password-stdin] [--otp CODE])
  xo-desk instances trust NAME --fingerprint SHA256

The instances are the app's own (settings in ${'$'}XO_DESK_CONFIG_DIR or the app's data folder, tokens in
the OS keychain). A password is exchanged once for a token, then forgotten. Without --trust, a
certificate that no CA of this computer vouches for is shown and refused (asked on a terminal).
Then: xo-desk ls vms --instance NAME
`

/** What the instance commands need besides their arguments. */
export interface InstancesIo extends CliIo {
  readStdin(): Promise<string>
  isTty: boolean
  /** Asks a question on the terminal; `hidden` for passwords. */
  ask?(question: string, hidden?: boolean): Promise<string>
  /** The keychain; the OS one unless a test gives another. */
  secrets?: SecretStore
  env?: NodeJS.ProcessEnv
}

const usage = (io: CliIo, problem: string): number => usageError(io, problem, INSTANCES_USAGE)

/** The registry the app uses, without live connections (the CLI connects per command). */
export function cliConnections(io: InstancesIo): Connections {
  return new Connections({
    store: new ConfigStore(configDir(io.env ?? process.env)),
    secrets: io.secrets ?? new KeychainStore(),
    tokens: new MemoryVault(),
    log: () => {},
  })
}

function describe(cert: CertificateInfo): string {
  return [
    `  subject:     ${cert.subject}`,
    `  issuer:      ${cert.issuer}`,
    `  valid:       ${cert.validFrom} to ${cert.validTo}`,
    `  names:       ${cert.subjectAltNames.join(', ') || '(none)'}`,
    `  SHA-256:     ${cert.fingerprint256}`,
  ].join('\n')
}

function row(config: InstanceConfig): Record<string, unknown> {
  return {
    name: config.name,
    url: config.url,
    environment: config.environment,
    color: config.color,
    readOnly: config.readOnly,
    trust:
      config.trust.kind === 'pinned' ? `pinned ${config.trust.fingerprint256}` : config.trust.kind,
    signIn: config.signIn.method === 'password' ? `password (${config.signIn.user})` : 'token',
    tokenExpires: config.tokenExpiresAt ? new Date(config.tokenExpiresAt).toISOString() : undefined,
    id: config.id,
  }
}

/** `xo-desk instances …`: the app's registry and keychain from the command line. */
export async function instancesCommand(argv: string[], io: InstancesIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        'token-stdin': { type: 'boolean' },
        'password-stdin': { type: 'boolean' },
        token: { type: 'string' },
        password: { type: 'string' },
        user: { type: 'string' },
        otp: { type: 'string' },
        trust: { type: 'string' },
        fingerprint: { type: 'string' },
        ca: { type: 'string' },
        env: { type: 'string' },
        color: { type: 'string' },
        'read-only': { type: 'boolean' },
        writable: { type: 'boolean' },
        expires: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  const [sub, name] = positionals
  if (values.help || sub === undefined) {
    io.stdout(INSTANCES_USAGE)
    return sub === undefined && !values.help ? 2 : 0
  }
  if (values.token !== undefined || values.password !== undefined) {
    return usage(
      io,
      'a secret in an argument shows in the process list; pipe it to --token-stdin or --password-stdin.',
    )
  }
  const connections = cliConnections(io)
  const signal = new AbortController().signal
  try {
    const notices = await connections.start()
    for (const notice of notices) io.stderr(`xo-desk: ${notice.message}\n${notice.action}\n`)
    if (sub === 'list') {
      const rows = connections.configs.map(row)
      if (values.json || !io.isTty) io.stdout(`${JSON.stringify(rows)}\n`)
      else if (rows.length === 0)
        io.stdout('No XO instances yet: xo-desk instances add NAME --url URL …\n')
      else
        for (const r of rows)
          io.stdout(
            `${String(r['name'])}\t${String(r['url'])}\t${String(r['environment'])}\t${String(r['trust'])}\n`,
          )
      return 0
    }
    if (!name) return usage(io, `name the instance: xo-desk instances ${sub} NAME`)
    if (sub === 'remove') {
      await connections.remove(name)
      io.stdout(`Removed ${name} and its token.\n`)
      return 0
    }
    if (sub === 'rename') {
      const next = positionals[2]
      if (!next) return usage(io, 'give the new name: xo-desk instances rename OLD NEW')
      const renamed = await connections.update(name, { name: next })
      io.stdout(`Renamed ${name} to ${renamed.name}.\n`)
      return 0
    }
    if (sub === 'set') {
      if (values['read-only'] && values.writable)
        return usage(io, 'pass --read-only or --writable, not both.')
      const patch = {
        ...(values.env !== undefined ? { environment: values.env } : {}),
        ...(values.color !== undefined ? { color: values.color } : {}),
        ...(values['read-only'] ? { readOnly: true } : values.writable ? { readOnly: false } : {}),
      }
      if (Object.keys(patch).length === 0)
        return usage(io, 'say what to change: --env, --color, --read-only or --writable.')
      const updated = await connections.update(name, patch)
      io.stdout(
        `${updated.name}: ${updated.environment}, ${updated.color}${updated.readOnly ? ', read-only' : ''}.\n`,
      )
      return 0
    }
    if (sub === 'add') {
      if (!values.url) return usage(io, '--url is required (the address of your XO).')
      const signIn = await readSignIn(io, values)
      if (typeof signIn === 'number') return signIn
      const trust = await chooseTrust(io, connections, values, signal)
      if (typeof trust === 'number') return trust
      const added = await connections.add(
        {
          name,
          address: values.url,
          trust,
          signIn,
          ...(values.env ? { environment: values.env } : {}),
          ...(values.color ? { color: values.color } : {}),
          readOnly: values['read-only'] ?? false,
        },
        signal,
      )
      io.stdout(`Added ${added.name} (${added.url}); its token is in the OS keychain.\n`)
      return 0
    }
    if (sub === 'trust') {
      const fp = values.fingerprint ? normalizeFingerprint(values.fingerprint) : undefined
      if (!fp)
        return usage(
          io,
          '--fingerprint SHA256 is required (as `openssl x509 -fingerprint -sha256` prints it).',
        )
      await connections.retrust(name, { kind: 'pinned', fingerprint256: fp })
      io.stdout(`${name} now trusts the certificate ${fp}.\n`)
      return 0
    }
    if (sub === 'login') {
      const saved = connections.find(name)
      const user =
        values.user ?? (saved?.signIn.method === 'password' ? saved.signIn.user : undefined)
      const signIn = await readSignIn(io, { ...values, ...(user ? { user } : {}) })
      if (typeof signIn === 'number') return signIn
      await connections.signInAgain(name, signIn, signal)
      io.stdout(`Signed in to ${name} again; the new token is in the OS keychain.\n`)
      return 0
    }
    return usage(io, `unknown subcommand "${sub}".`)
  } catch (err) {
    return explain(io, toAppError(err))
  }
}

async function readSignIn(
  io: InstancesIo,
  values: {
    user?: string
    otp?: string
    expires?: string
    'token-stdin'?: boolean
    'password-stdin'?: boolean
  },
): Promise<SignIn | number> {
  if (values['token-stdin']) {
    const token = (await io.readStdin()).trim()
    if (token === '') return usage(io, 'standard input was empty: write the token to it.')
    return { method: 'token', token }
  }
  if (!values.user)
    return usage(io, 'pass --token-stdin, or --user USER to sign in with a password.')
  let password: string
  if (values['password-stdin']) password = (await io.readStdin()).replace(/\r?\n$/, '')
  else if (io.isTty && io.ask) password = await io.ask(`Password for ${values.user}: `, true)
  else return usage(io, 'pass --password-stdin and write the password to standard input.')
  return {
    method: 'password',
    user: values.user,
    password,
    ...(values.otp ? { otp: values.otp } : {}),
    ...(values.expires ? { expiresIn: values.expires } : {}),
  }
}

async function chooseTrust(
  io: InstancesIo,
  connections: Connections,
  values: { url?: string; trust?: string; ca?: string },
  signal: AbortSignal,
): Promise<TrustPolicy | number> {
  if (values.ca) {
    const pem = await readFile(values.ca, 'utf8')
    return { kind: 'ca', caPem: [pem] }
  }
  if (values.trust) {
    const fp = normalizeFingerprint(values.trust)
    if (!fp) return usage(io, `--trust "${values.trust}" is not a SHA-256 fingerprint.`)
    return { kind: 'pinned', fingerprint256: fp }
  }
  const seen = await connections.inspect(values.url ?? '', signal)
  for (const warning of seen.warnings) io.stderr(`xo-desk: warning: ${warning}\n`)
  if (!seen.certificate || seen.trustedBySystem) return { kind: 'system' }
  const shown = `The certificate of ${new URL(seen.url).host} is not vouched for by any CA of this computer (${seen.authorizationError ?? 'untrusted'}):\n${describe(seen.certificate)}\n`
  if (io.isTty && io.ask) {
    io.stderr(shown)
    const answer = await io.ask(
      'Compare the SHA-256 with your XO administrator. Trust this certificate for this instance only? [y/N] ',
    )
    if (/^y(es)?$/i.test(answer.trim()))
      return { kind: 'pinned', fingerprint256: seen.certificate.fingerprint256 }
    io.stderr('xo-desk: not trusted; nothing was saved.\n')
    return 1
  }
  io.stderr(
    `xo-desk: ${shown}Nothing was saved. If this is your XO's certificate, add it again with --trust ${seen.certificate.fingerprint256}\n`,
  )
  return 1
}
