// `xo-desk inspect` and `xo-desk import` against files from real tools and the simulator.
import { copyFile, open, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from '../../simulator/server'
import { makeTempDir, run } from '../../test-support/format-files'
import { exportedXva, userSr } from '../../test-support/import-files'
import { runCli } from '../run'
import { importCommand } from './import'
import { inspectCommand } from './inspect'

const MiB = 1024 * 1024
let sim: RunningSimulator
let dir: string
let remove: () => Promise<void>

function io(token = '') {
  const out = { stdout: '', stderr: '' }
  return {
    out,
    io: {
      stdout: (t: string) => void (out.stdout += t),
      stderr: (t: string) => void (out.stderr += t),
      readStdin: () => Promise.resolve(token),
      isTty: false,
    },
  }
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
