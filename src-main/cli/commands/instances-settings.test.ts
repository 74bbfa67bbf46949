// `xo-desk instances rename` and `set`, as a script uses them: the app's registry and the real OS
// keychain (gnome-keyring on a private D-Bus session), a simulator over TLS.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateCertificate, startSimulator, type RunningSimulator } from '../../simulator'
import { startSecretService, type SecretServiceSession } from '../../test-support/secret-service'
import { KeychainStore } from '../../vault/keychain'
import { instancesCommand, INSTANCES_USAGE } from './instances'

const keychain = new KeychainStore()
let session: SecretServiceSession
let dir: string
const sims: RunningSimulator[] = []
beforeAll(async () => {
  session = await startSecretService(async () => {
    await keychain.write('ready-check', 'x')
    await keychain.erase('ready-check')
  })
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-cli-settings-'))
})
afterAll(async () => {
  await session?.stop()
  await rm(dir, { recursive: true, force: true })
})
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
  const list = await cli(['list', '--json'])
  for (const i of JSON.parse(list.stdout || '[]') as { name: string }[])
    await cli(['remove', i.name])
})

async function cli(argv: string[], stdin = '') {
  let stdout = ''
  let stderr = ''
  const code = await instancesCommand(argv, {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
    readStdin: async () => stdin,
    isTty: false,
    env: { XO_DESK_CONFIG_DIR: dir },
  })
  return { code, stdout, stderr }
}

interface Row {
  id: string
  name: string
  environment: string
  color: string
  readOnly: boolean
}
const listed = async (): Promise<Row[]> =>
  JSON.parse((await cli(['list', '--json'])).stdout) as Row[]

async function added(name: string): Promise<{ sim: RunningSimulator }> {
  const cert = await generateCertificate()
  const sim = await startSimulator({ tls: cert, seed: 'cli-settings', life: false })
  sims.push(sim)
  const res = await cli(
    ['add', name, '--url', sim.url, '--token-stdin', '--trust', cert.fingerprint256],
    sim.token,
  )
  expect(res).toMatchObject({ code: 0 })
  return { sim }
}

describe('xo-desk instances rename and set', () => {
  it('renames an instance and keeps its token in the keychain', async () => {
    const { sim } = await added('prod')
    const [before] = await listed()

    const res = await cli(['rename', 'prod', 'Production EU'])

    expect(res).toMatchObject({ code: 0, stdout: 'Renamed prod to Production EU.\n' })
    const [after] = await listed()
    expect(after).toMatchObject({ id: before?.id, name: 'Production EU' })
    expect(await keychain.read(after?.id ?? '')).toBe(sim.token)
    const file = await readFile(join(dir, 'instances.json'), 'utf8')
    expect(file).not.toContain(sim.token)
  })

  it('refuses a rename to a name another instance has, and says what to do', async () => {
    await added('prod')
    await added('lab')
    const res = await cli(['rename', 'lab', 'PROD'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('An instance named "prod" already exists.')
    expect(res.stderr).toContain('Choose another name.')
    expect((await listed()).map((r) => r.name)).toEqual(['prod', 'lab'])
  })

  it('sets the environment, colour and read-only flag, then makes it writable again', async () => {
    await added('prod')

    const set = await cli(['set', 'prod', '--env', 'staging', '--color', '#AA0011', '--read-only'])
    expect(set).toMatchObject({ code: 0, stdout: 'prod: staging, #aa0011, read-only.\n' })
    expect((await listed())[0]).toMatchObject({
      environment: 'staging',
      color: '#aa0011',
      readOnly: true,
    })

    expect((await cli(['set', 'prod', '--writable'])).code).toBe(0)
    expect((await listed())[0]).toMatchObject({ environment: 'staging', readOnly: false })
  })

  it('refuses a colour that is not #rrggbb, changing nothing', async () => {
    await added('prod')
    const res = await cli(['set', 'prod', '--color', 'blue'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('#rrggbb')
    expect((await listed())[0]?.color).toBe('#2f6fde')
  })

  it('explains its usage when nothing to change, or both --read-only and --writable, is given', async () => {
    await added('prod')
    const nothing = await cli(['set', 'prod'])
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain('--env, --color, --read-only or --writable')
    const both = await cli(['set', 'prod', '--read-only', '--writable'])
    expect(both.code).toBe(2)
    expect((await cli(['rename', 'prod'])).stderr).toContain('rename OLD NEW')
    expect(INSTANCES_USAGE).toContain('xo-desk instances set NAME')
  })
})
