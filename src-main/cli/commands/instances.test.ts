// `xo-desk instances …` and `--instance` as a script uses them: the app's registry and the real
// OS keychain (gnome-keyring on a private D-Bus session), simulators over TLS.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  generateCertificate,
  startSimulator,
  type RunningSimulator,
  type SelfSignedCertificate,
} from '../../simulator'
import { startSecretService, type SecretServiceSession } from '../../test-support/secret-service'
import { KeychainStore } from '../../vault/keychain'
import { runCli } from '../run'
import { instancesCommand } from './instances'
import { clientCommand } from './client-commands'

const keychain = new KeychainStore()
let session: SecretServiceSession
let dir: string
const sims: RunningSimulator[] = []
beforeAll(async () => {
  session = await startSecretService(async () => {
    await keychain.write('ready-check', 'x')
    await keychain.erase('ready-check')
  })
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-cli-config-'))
})
afterAll(async () => {
  await session?.stop()
  await rm(dir, { recursive: true, force: true })
})
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
  // Each test starts with no instance.
  const list = await cli(['instances', 'list', '--json'])
  for (const i of JSON.parse(list.stdout || '[]') as { name: string }[])
    await cli(['instances', 'remove', i.name])
})

async function cli(argv: string[], stdin = '') {
  let stdout = ''
  let stderr = ''
  const io = {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
    readStdin: async () => stdin,
    isTty: false,
    env: { XO_DESK_CONFIG_DIR: dir },
  }
  const [command, ...rest] = argv
  const code =
    command === 'instances'
      ? await instancesCommand(rest, io)
      : await clientCommand(command as 'ls' | 'get' | 'action', rest, io)
  return { code, stdout, stderr }
}

async function tlsSim(cert?: SelfSignedCertificate, port = 0) {
  const c = cert ?? (await generateCertificate())
  const sim = await startSimulator({ tls: c, port, seed: 'cli', life: false })
  sims.push(sim)
  return { sim, cert: c }
}

describe('xo-desk instances', () => {
  it('refuses an unknown certificate with its fingerprint on stderr, and saves nothing', async () => {
    const { sim, cert } = await tlsSim()
    const res = await cli(
      ['instances', 'add', 'prod', '--url', sim.url, '--token-stdin'],
      sim.token,
    )
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(cert.fingerprint256)
    expect(res.stderr).toContain(`--trust ${cert.fingerprint256}`)
    expect(JSON.parse((await cli(['instances', 'list', '--json'])).stdout)).toEqual([])
    expect(sim.lab.requests).toEqual([])
  })

  it('adds a pinned instance whose token goes to the keychain, and `ls --instance` reads it', async () => {
    const { sim, cert } = await tlsSim()
    const added = await cli(
      [
        'instances',
        'add',
        'prod',
        '--url',
        sim.url,
        '--token-stdin',
        '--trust',
        cert.fingerprint256,
        '--env',
        'production',
      ],
      sim.token,
    )
    expect(added).toMatchObject({ code: 0 })
    const [listed] = JSON.parse((await cli(['instances', 'list', '--json'])).stdout) as {
      id: string
      name: string
      environment: string
    }[]
    expect(listed).toMatchObject({ name: 'prod', environment: 'production' })
    expect(await keychain.read(listed?.id ?? '')).toBe(sim.token)
    // No file of the config folder holds the token.
    for (const file of await readdir(dir))
      expect(await readFile(join(dir, file), 'utf8')).not.toContain(sim.token)

    const ls = await cli(['ls', 'vms', '--instance', 'prod', '--fields', 'name_label', '--json'])
    expect(ls.code).toBe(0)
    expect(JSON.parse(ls.stdout)).toHaveLength(sim.lab.store.count('vms'))
  })

  it('stops with both fingerprints, sending nothing, when the certificate changed; trust re-pins', async () => {
    const first = await tlsSim()
    await cli(
      [
        'instances',
        'add',
        'prod',
        '--url',
        first.sim.url,
        '--token-stdin',
        '--trust',
        first.cert.fingerprint256,
      ],
      first.sim.token,
    )
    const port = Number(new URL(first.sim.url).port)
    await first.sim.close()
    sims.splice(sims.indexOf(first.sim), 1)
    const other = await generateCertificate()
    const { sim } = await tlsSim(other, port)

    const refused = await cli(['ls', 'vms', '--instance', 'prod', '--json'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(first.cert.fingerprint256)
    expect(refused.stderr).toContain(other.fingerprint256)
    expect(sim.lab.requests).toEqual([])

    expect(
      (await cli(['instances', 'trust', 'prod', '--fingerprint', other.fingerprint256])).code,
    ).toBe(0)
    // The new server has its own tokens: sign in again, then it answers.
    expect((await cli(['instances', 'login', 'prod', '--token-stdin'], sim.token)).code).toBe(0)
    expect((await cli(['ls', 'vms', '--instance', 'prod', '--json'])).code).toBe(0)
  })

  it('signs in with a user name and password read from standard input, then forgets the password', async () => {
    const { sim, cert } = await tlsSim()
    const res = await cli(
      [
        'instances',
        'add',
        'dr',
        '--url',
        sim.url,
        '--user',
        'admin@admin.net',
        '--password-stdin',
        '--trust',
        cert.fingerprint256,
      ],
      'admin\n',
    )
    expect(res.code).toBe(0)
    const [listed] = JSON.parse((await cli(['instances', 'list', '--json'])).stdout) as {
      id: string
      signIn: string
    }[]
    expect(listed?.signIn).toBe('password (admin@admin.net)')
    const token = await keychain.read(listed?.id ?? '')
    expect(sim.lab.auth.tokens.has(token ?? '')).toBe(true)
  })

  it('refuses a secret given as an argument', async () => {
    const res = await cli(['instances', 'add', 'x', '--url', 'https://xo', '--password', 'hunter2'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('process list')
  })

  it('writes a VM action made from the command line to the app’s audit log, with its outcome', async () => {
    const { sim, cert } = await tlsSim()
    await cli(
      [
        'instances',
        'add',
        'prod',
        '--url',
        sim.url,
        '--token-stdin',
        '--trust',
        cert.fingerprint256,
      ],
      sim.token,
    )
    const vm = [...sim.lab.store.list('vms')].find((v) => v['power_state'] === 'Halted')
    const res = await cli([
      'action',
      'vms',
      String(vm?.['id']),
      'start',
      '--instance',
      'prod',
      '--wait',
    ])
    expect(res.code).toBe(0)
    const log = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { action: string; outcome: string; instance: { name: string } },
      )
      .filter((e) => e.action === 'vms.start')
    expect(log.map((e) => e.outcome)).toEqual(['started', 'succeeded'])
    expect(log[0]?.instance.name).toBe('prod')
  })

  it('refuses actions on a read-only instance before sending anything', async () => {
    const { sim, cert } = await tlsSim()
    await cli(
      [
        'instances',
        'add',
        'ro',
        '--url',
        sim.url,
        '--token-stdin',
        '--trust',
        cert.fingerprint256,
        '--read-only',
      ],
      sim.token,
    )
    const before = sim.lab.requests.length
    const vm = [...sim.lab.store.list('vms')][0]
    const res = await cli(['action', 'vms', String(vm?.['id']), 'start', '--instance', 'ro'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('read-only')
    expect(sim.lab.requests.length).toBe(before)
  })

  it('removes an instance and its keychain entry', async () => {
    const { sim, cert } = await tlsSim()
    await cli(
      [
        'instances',
        'add',
        'gone',
        '--url',
        sim.url,
        '--token-stdin',
        '--trust',
        cert.fingerprint256,
      ],
      sim.token,
    )
    const [listed] = JSON.parse((await cli(['instances', 'list', '--json'])).stdout) as {
      id: string
    }[]
    expect((await cli(['instances', 'remove', 'gone'])).code).toBe(0)
    expect(await keychain.read(listed?.id ?? '')).toBeUndefined()
  })

  it('is listed in the command help', async () => {
    let out = ''
    await runCli(['help'], { stdout: (t) => (out += t), stderr: () => {} })
    expect(out).toContain('instances')
  })
})
