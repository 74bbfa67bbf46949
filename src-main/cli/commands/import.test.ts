// `xo-desk inspect` and `xo-desk import` against files from real tools and the simulator.
import { copyFile, open, readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCertificate } from '../../simulator'
import { startSimulator, type RunningSimulator } from '../../simulator/server'
import { makeTempDir, run } from '../../test-support/format-files'
import { exportedXva, userSr } from '../../test-support/import-files'
import { MemorySecretStore } from '../../vault/keychain'
import { runCli } from '../run'
import { importCommand, type ImportIo } from './import'
import { inspectCommand } from './inspect'
import { instancesCommand } from './instances'

const MiB = 1024 * 1024
let sim: RunningSimulator
let dir: string
let remove: () => Promise<void>

function io(token = '', more: Partial<ImportIo> = {}) {
  const out = { stdout: '', stderr: '' }
  const value: ImportIo = {
    stdout: (t: string) => void (out.stdout += t),
    stderr: (t: string) => void (out.stderr += t),
    readStdin: () => Promise.resolve(token),
    isTty: false,
    ...more,
  }
  return { out, io: value }
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 'cli-imports', life: false, diskDataBytes: 2 * MiB })
  ;({ dir, remove } = await makeTempDir('cli-imports'))
  const raw = join(dir, 'disk.raw')
  await writeFile(raw, Buffer.alloc(2 * MiB, 3))
  await truncate(raw, 4 * MiB)
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', raw, join(dir, 'disk.vhd')])
  const bad = join(dir, 'bad.vhd')
  await copyFile(join(dir, 'disk.vhd'), bad)
  const fh = await open(bad, 'r+')
  await fh.write(Buffer.from([0xff]), 0, 1, 3)
  await fh.close()
})
afterAll(async () => {
  await sim.close()
  await remove()
})

describe('xo-desk inspect', () => {
  it('prints what it read and exits 0 for a valid VHD (--json)', async () => {
    const t = io()
    expect(await inspectCommand([join(dir, 'disk.vhd'), '--json'], t.io)).toBe(0)
    expect(JSON.parse(t.out.stdout)).toMatchObject({
      valid: true,
      kind: 'vhd',
      diskType: 'dynamic',
    })
  })

  it('exits 1 with the reason for a damaged VHD, through runCli', async () => {
    const t = io()
    expect(await runCli(['inspect', join(dir, 'bad.vhd')], t.io)).toBe(1)
    expect(t.out.stderr).toMatch(/byte offset 0, field footer copy cookie/)
  })
})

describe('xo-desk import', () => {
  const url = (): string[] => ['--url', sim.url, '--token-stdin', '--json']

  it('imports a VHD as a new VDI: exit 0 and the id as JSON', async () => {
    const t = io(sim.token)
    const sr = userSr(sim)
    const args = ['vdi', join(dir, 'disk.vhd'), '--sr', sr.id, '--name', 'cli disk', ...url()]
    expect(await importCommand(args, t.io)).toBe(0)
    const out = JSON.parse(t.out.stdout) as { ok: boolean; id: string }
    expect(out.ok).toBe(true)
    expect(sim.lab.store.get('vdis', out.id)?.['name_label']).toBe('cli disk')
    expect(t.out.stderr).toMatch(/uploading \d+\/\d+ bytes \(100%\)/)
  })

  it('imports an XVA as a VM', async () => {
    const file = join(dir, 'vm.xva')
    await exportedXva(sim, file)
    const t = io(sim.token)
    expect(await importCommand(['vm', file, '--sr', userSr(sim).id, ...url()], t.io)).toBe(0)
    const out = JSON.parse(t.out.stdout) as { id: string; collection: string }
    expect(out.collection).toBe('vms')
    expect(sim.lab.store.get('vms', out.id)).toBeDefined()
  })

  it('exits 2 for a corrupt file, and sends nothing', async () => {
    sim.lab.requests.length = 0
    const t = io(sim.token)
    const code = await importCommand(
      ['vdi', join(dir, 'bad.vhd'), '--sr', userSr(sim).id, ...url()],
      t.io,
    )
    expect(code).toBe(2)
    expect(JSON.parse(t.out.stdout)).toMatchObject({ ok: false, error: { code: 'corrupt-file' } })
    expect(sim.lab.requests).toEqual([])
  })

  it('is the `import` command of runCli: a wrong command line exits 2 with its usage', async () => {
    const t = io()
    expect(await runCli(['import', 'vdi'], t.io)).toBe(2)
    expect(t.out.stderr).toContain('xo-desk import vdi FILE')
  })

  it('exits 2 for a command line without a target', async () => {
    expect(await importCommand(['vdi', join(dir, 'disk.vhd'), ...url()], io(sim.token).io)).toBe(2)
  })

  it('exits 3 when XO cannot be reached', async () => {
    const t = io('token')
    const args = [
      'vdi',
      join(dir, 'disk.vhd'),
      '--sr',
      'x',
      '--url',
      'http://127.0.0.1:9',
      '--token-stdin',
    ]
    expect(await importCommand(args, t.io)).toBe(3)
  })
})

describe('xo-desk import --instance', () => {
  // The app's instances in a config folder of the test's, their tokens in memory.
  const secrets = new MemorySecretStore()
  const saved = (token = '', more: Partial<ImportIo> = {}) =>
    io(token, { secrets, env: { XO_DESK_CONFIG_DIR: join(dir, 'config') }, ...more })
  async function add(name: string, target: RunningSimulator, ...flags: string[]): Promise<void> {
    const t = saved(target.token)
    const code = await instancesCommand(
      ['add', name, '--url', target.url, '--token-stdin', ...flags],
      t.io,
    )
    if (code !== 0) throw new Error(`instances add ${name}: ${t.out.stderr}`)
  }
  type Entry = {
    action: string
    outcome: string
    instance: { name: string }
    object: { collection: string; id: string }
    error?: { code: string }
  }
  const audit = async (): Promise<Entry[]> =>
    (await readFile(join(dir, 'config', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry)

  beforeAll(async () => {
    await add('lab', sim)
    await add('lab-ro', sim, '--read-only')
  })

  it('imports an XVA as a VM through a saved instance and writes it to the audit log', async () => {
    const file = join(dir, 'instance-vm.xva')
    await exportedXva(sim, file)
    const t = saved()
    const code = await importCommand(
      ['vm', file, '--instance', 'lab', '--sr', userSr(sim).id, '--json'],
      t.io,
    )
    expect(t.out.stderr).not.toMatch(/xo-desk:/)
    expect(code).toBe(0)
    const { id } = JSON.parse(t.out.stdout) as { id: string }
    expect(sim.lab.store.get('vms', id)).toBeDefined()
    const entries = (await audit()).filter((e) => e.action === 'vms.import')
    expect(entries.map((e) => e.outcome)).toEqual(['started', 'succeeded'])
    expect(entries[0]?.instance.name).toBe('lab')
    expect(entries[1]?.object).toMatchObject({ collection: 'vms', id })
  })

  it('a read-only instance refuses the import: exit 1, nothing sent, the refusal audited', async () => {
    sim.lab.requests.length = 0
    const before = sim.lab.store.count('vdis')
    const t = saved()
    const code = await importCommand(
      ['vdi', join(dir, 'disk.vhd'), '--instance', 'lab-ro', '--sr', userSr(sim).id],
      t.io,
    )
    expect(code).toBe(1)
    expect(t.out.stderr).toContain('read-only')
    expect(sim.lab.requests).toEqual([])
    expect(sim.lab.store.count('vdis')).toBe(before)
    expect((await audit()).at(-1)).toMatchObject({
      instance: { name: 'lab-ro' },
      outcome: 'refused',
      error: { code: 'forbidden' },
    })
  })

  it('a changed certificate is refused before anything is sent: exit 3, both fingerprints', async () => {
    const first = await generateCertificate()
    const pinned = await startSimulator({ tls: first, seed: 'cli-imports-tls', life: false })
    const port = Number(new URL(pinned.url).port)
    await add('pinned', pinned, '--trust', first.fingerprint256)
    await pinned.close()
    const other = await generateCertificate()
    const changed = await startSimulator({ tls: other, port, seed: 'cli-imports-tls', life: false })
    try {
      const t = saved()
      const code = await importCommand(
        ['vdi', join(dir, 'disk.vhd'), '--instance', 'pinned', '--sr', userSr(changed).id],
        t.io,
      )
      expect(code).toBe(3)
      expect(t.out.stderr).toContain(first.fingerprint256)
      expect(t.out.stderr).toContain(other.fingerprint256)
      expect(changed.lab.requests).toEqual([])
    } finally {
      await changed.close()
    }
  })

  it('cancelled mid-upload: exit 130, no VDI created, the failure audited', async () => {
    const big = join(dir, 'big.raw')
    await writeFile(big, '')
    await truncate(big, 64 * MiB)
    const before = new Set([...sim.lab.store.list('vdis')].map((v) => v.id))
    const controller = new AbortController()
    const t = saved('', { signal: controller.signal })
    const stderr = t.io.stderr
    let cut = ''
    t.io.stderr = (text) => {
      stderr(text)
      // The first progress line after some bytes went out: cancel there.
      const m = /uploading (\d+)\/(\d+) bytes/.exec(text)
      if (m && Number(m[1]) > 0 && Number(m[1]) < Number(m[2]) && !controller.signal.aborted) {
        cut = text
        controller.abort()
      }
    }
    const code = await importCommand(
      ['vdi', big, '--raw', '--instance', 'lab', '--sr', userSr(sim).id, '--name', 'cancelled'],
      t.io,
    )
    expect(cut).not.toBe('')
    expect(code).toBe(130)
    expect(t.out.stderr).not.toMatch(/uploading \d+\/\d+ bytes \(100%\)/)
    // What reached the simulator is a cut body: it must not become a disk.
    await new Promise((r) => setTimeout(r, 200))
    const created = [...sim.lab.store.list('vdis')].filter((v) => !before.has(v.id))
    expect(created).toEqual([])
    expect((await audit()).at(-1)).toMatchObject({
      action: 'vdis.import',
      outcome: 'failed',
      error: { code: 'cancelled' },
    })
  })
})
