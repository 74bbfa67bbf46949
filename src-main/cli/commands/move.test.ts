// `xo-desk move` between two of the app's instances (two simulators): exit codes, progress, audit.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../simulator/server'
import { userSr } from '../../test-support/import-files'
import { MemorySecretStore } from '../../vault/keychain'
import { runCli } from '../run'
import type { ExportIo } from './export'
import { instancesCommand } from './instances'
import { moveCommand } from './move'

const MiB = 1024 * 1024
let src: RunningSimulator
let dst: RunningSimulator
let dir: string
const secrets = new MemorySecretStore()
type Rec = { id: string } & Record<string, unknown>
let vdi: Rec

function io(more: Partial<ExportIo> = {}) {
  const out = { stdout: '', stderr: '' }
  const value: ExportIo = {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    readStdin: () => Promise.resolve(''),
    isTty: false,
    secrets,
    env: { XO_DESK_CONFIG_DIR: join(dir, 'config') },
    ...more,
  }
  return { io: value, out }
}

async function add(name: string, sim: RunningSimulator, ...flags: string[]): Promise<void> {
  const { io: cli, out } = io({ readStdin: () => Promise.resolve(sim.token) })
  const code = await instancesCommand(
    ['add', name, '--url', sim.url, '--token-stdin', ...flags],
    cli,
  )
  if (code !== 0) throw new Error(`instances add ${name}: ${out.stderr}`)
}

const newVdis = (before: Set<string>): string[] =>
  [...dst.lab.store.list('vdis')].map((v) => v.id).filter((id) => !before.has(id))

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-cli-move-'))
  src = await startSimulator({ seed: 'cli-move-a', life: false, diskDataBytes: MiB })
  dst = await startSimulator({ seed: 'cli-move-b', life: false, diskDataBytes: MiB })
  await add('a', src)
  await add('b', dst)
  await add('b-ro', dst, '--read-only')
  vdi = [...src.lab.store.list('vdis')].find((v) => Number(v['size']) > 0) as Rec
  src.lab.store.update('vdis', vdi.id, { size: 8 * MiB })
})
afterAll(async () => {
  await src.close()
  await dst.close()
  await rm(dir, { recursive: true, force: true })
})

describe('xo-desk move', () => {
  it('moves a VDI: its new id on stdout, progress on stderr, audited on the target', async () => {
    const sr = userSr(dst)
    const before = new Set([...dst.lab.store.list('vdis')].map((v) => v.id))
    const { io: cli, out } = io()
    const code = await moveCommand(
      ['vdi', vdi.id, '--from', 'a', '--to', 'b', '--sr', sr.id, '--name', 'via cli'],
      cli,
    )
    expect(out.stderr).not.toMatch(/xo-desk:/)
    expect(code).toBe(0)
    const [created] = newVdis(before)
    expect(out.stdout).toBe(`${created}\n`)
    expect(dst.lab.store.get('vdis', String(created))?.['name_label']).toBe('via cli')
    expect(out.stderr).toMatch(/^move \(copying\): [\d.]+ MiB of [\d.]+ MiB/m)
    expect(out.stderr).toMatch(/^move \(reading the copy back\): /m)
    expect(out.stderr).toContain('matches')
    const log = await readFile(join(dir, 'config', 'audit.jsonl'), 'utf8')
    expect(log).toContain('"action":"vdis.move"')
    expect(log).toContain(`"id":"${created}"`)
    expect(log).toContain('"outcome":"succeeded"')
  })

  it('--json prints the result, with what was verified', async () => {
    const sr = userSr(dst)
    const { io: cli, out } = io()
    const code = await moveCommand(
      ['vdi', vdi.id, '--from', 'a', '--to', 'b', '--sr', sr.id, '--no-verify', '--json'],
      cli,
    )
    expect(code).toBe(0)
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, kind: 'vdi', verified: 'not-checked' })
  })

  it('refuses a read-only target before anything is read, exit 1', async () => {
    const sr = userSr(dst)
    src.lab.requests.length = 0
    dst.lab.requests.length = 0
    const { io: cli, out } = io()
    const code = await moveCommand(
      ['vdi', vdi.id, '--from', 'a', '--to', 'b-ro', '--sr', sr.id],
      cli,
    )
    expect(code).toBe(1)
    expect(out.stderr).toContain('read-only')
    expect(src.lab.requests).toEqual([])
    expect(dst.lab.requests).toEqual([])
  })

  it('an SR too small: exit 1 and a --json error', async () => {
    const sr = userSr(dst)
    const saved = { size: sr['size'], physical_usage: sr['physical_usage'] }
    dst.lab.store.update('srs', sr.id, { size: MiB, physical_usage: 0 })
    try {
      const { io: cli, out } = io()
      const code = await moveCommand(
        ['vdi', vdi.id, '--from', 'a', '--to', 'b', '--sr', sr.id, '--json'],
        cli,
      )
      expect(code).toBe(1)
      expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: 'disk-full' } })
    } finally {
      dst.lab.store.update('srs', sr.id, saved)
    }
  })

  it('exits 130 when cancelled', async () => {
    const sr = userSr(dst)
    const controller = new AbortController()
    controller.abort()
    const { io: cli } = io({ signal: controller.signal })
    expect(await moveCommand(['vdi', vdi.id, '--from', 'a', '--to', 'b', '--sr', sr.id], cli)).toBe(
      130,
    )
  })

  it('refuses a bad command line with exit 2 and the usage', async () => {
    const cases = [
      ['disk', vdi.id, '--from', 'a', '--to', 'b', '--sr', 'x'],
      ['vdi', '--from', 'a', '--to', 'b', '--sr', 'x'],
      ['vdi', vdi.id, '--to', 'b', '--sr', 'x'],
      ['vdi', vdi.id, '--from', 'a', '--to', 'a', '--sr', 'x'],
      ['vdi', vdi.id, '--from', 'a', '--to', 'b'],
      ['vm', vdi.id, '--from', 'a', '--to', 'b', '--sr', 'x', '--name', 'n'],
      ['vm', vdi.id, '--bogus'],
    ]
    for (const argv of cases) {
      const { io: cli, out } = io()
      expect(await moveCommand(argv, cli), argv.join(' ')).toBe(2)
      expect(out.stderr).toMatch(/Usage:/)
    }
  })

  it('is reached through runCli and listed in the help', async () => {
    let text = ''
    const sink = { stdout: (t: string) => (text += t), stderr: () => {} }
    expect(await runCli(['move', '--help'], sink)).toBe(0)
    expect(text).toContain('xo-desk move vm <uuid> --from NAME --to NAME --sr UUID')
    await runCli(['help'], sink)
    expect(text).toMatch(/^ {2}move {9}/m)
  })
})
