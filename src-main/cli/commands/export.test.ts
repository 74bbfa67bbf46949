// `xo-desk export` and `xo-desk verify` against the simulator: exit codes, --json, progress.
import { existsSync } from 'node:fs'
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExportLab, type ExportLab } from '../../test-support/export-lab'
import { runCli } from '../run'
import { exportCommand, type ExportIo } from './export'
import { verifyCommand } from './verify'

let lab: ExportLab
let dir: string

beforeAll(async () => {
  lab = await startExportLab(8 * 1024 * 1024, 1024 * 1024)
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-cli-export-'))
})
afterAll(async () => {
  await lab.sim.close()
  await rm(dir, { recursive: true, force: true })
})

function io(more: Partial<ExportIo> = {}) {
  const out = { stdout: '', stderr: '' }
  const value: ExportIo = {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    readStdin: () => Promise.resolve(`${lab.sim.token}\n`),
    isTty: false,
    env: { XO_DESK_CONFIG_DIR: join(dir, 'config') },
    ...more,
  }
  return { io: value, out }
}

const url = () => ['--url', lab.sim.url, '--token-stdin']

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  await new Promise<void>((r) => server.close(() => r()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('xo-desk export', () => {
  it('exports a VM as XVA, exit 0, the file path on stdout and plain progress on stderr', async () => {
    const file = join(dir, 'vm.xva')
    const { io: cli, out } = io()
    const code = await exportCommand(
      ['vm', lab.vm.id, ...url(), '--format', 'xva', '--compress', 'zstd', '-o', file],
      cli,
    )
    expect(out.stderr).not.toMatch(/xo-desk:/)
    expect(code).toBe(0)
    expect(out.stdout).toBe(`${file}\n`)
    expect(out.stderr).toMatch(/^export: [\d.]+ MiB, [\d.]+ MiB\/s/m)
    expect(out.stderr).not.toMatch(/\r/)
    expect(existsSync(`${file}.sha256`)).toBe(true)
  })

  it('--json prints the result; a terminal gets a redrawn bar', async () => {
    const file = join(dir, 'disk.raw')
    const { io: cli, out } = io({ stderrTty: true })
    const code = await exportCommand(
      ['vdi', lab.vdi.id, ...url(), '--format', 'raw', '-o', file, '--json'],
      cli,
    )
    expect(code).toBe(0)
    const result = JSON.parse(out.stdout) as { ok: boolean; file: string; size: number }
    expect(result).toMatchObject({ ok: true, file, size: Number(lab.vdi['size']) })
    expect(out.stderr).toContain('\r\u001b[2K[')
    expect(out.stderr).toMatch(/\[[#-]{30}\] [\d.]+ MiB of [\d.]+ MiB/)
  })

  it('refuses a bad command line with exit 2 and the usage', async () => {
    const cases = [
      ['vm', lab.vm.id, ...url(), '--format', 'vhd', '-o', join(dir, 'x')],
      ['vdi', lab.vdi.id, ...url(), '--format', 'raw'],
      ['vm', lab.vm.id, ...url(), '--format', 'ova', '--compress', 'gzip', '-o', join(dir, 'x')],
      ['disk', lab.vm.id],
      ['vm', lab.vm.id, '--format', 'xva', '-o', join(dir, 'x')],
      ['vm', lab.vm.id, ...url(), '--format', 'xva', '-o', join(dir, 'x'), '--retries', 'many'],
      ['vm', lab.vm.id, '--bogus'],
    ]
    for (const argv of cases) {
      const { io: cli, out } = io()
      expect(await exportCommand(argv, cli), argv.join(' ')).toBe(2)
      expect(out.stderr).toMatch(/Usage:/)
    }
    expect(await readdir(dir)).not.toContain('x')
  })

  it('exits 3 when XO cannot be reached, with --json saying why', async () => {
    const file = join(dir, 'unreachable.xva')
    const port = await closedPort()
    const { io: cli, out } = io()
    const code = await exportCommand(
      ['vm', lab.vm.id, '--url', `http://127.0.0.1:${port}`, '--token-stdin'].concat([
        '--format',
        'xva',
        '-o',
        file,
        '--retries',
        '0',
        '--json',
      ]),
      cli,
    )
    expect(code).toBe(3)
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: 'unreachable' } })
    expect(out.stderr).toMatch(/refused the connection/)
    expect(existsSync(file)).toBe(false)
  })

  it('exits 1 for other failures (no such VM; an export XO fails)', async () => {
    const { io: cli, out } = io()
    const missing = '00000000-0000-0000-0000-000000000000'
    expect(
      await exportCommand(['vm', missing, ...url(), '--format', 'xva', '-o', join(dir, 'm')], cli),
    ).toBe(1)
    expect(out.stderr).toMatch(/xo-desk: /)
    lab.sim.faults.next('GET', `/vms/${lab.vm.id}.ova`, { kind: 'status', status: 500 })
    const file = join(dir, 'failed.ova')
    const second = io()
    expect(
      await exportCommand(
        ['vm', lab.vm.id, ...url(), '--format', 'ova', '-o', file, '--retries', '0'],
        second.io,
      ),
    ).toBe(1)
    expect(existsSync(file) || existsSync(`${file}.part`)).toBe(false)
  })

  it('exits 130 when cancelled (Ctrl+C) mid-stream, leaving nothing', async () => {
    const remove = lab.sim.faults.add({
      method: 'GET',
      path: `/vms/${lab.vm.id}.xva`,
      fault: { kind: 'throttle', bytesPerSecond: 1_000_000 },
      times: 1,
    })
    const controller = new AbortController()
    const file = join(dir, 'cancelled.xva')
    let reports = 0
    // A terminal, so reports come a few times a second; the first is the start (0 bytes), the
    // second comes once bytes arrived: Ctrl+C then.
    const { io: cli, out } = io({
      signal: controller.signal,
      stderrTty: true,
      stderr: (t) => {
        out.stderr += t
        if (++reports === 2) controller.abort()
      },
    })
    const code = await exportCommand(
      ['vm', lab.vm.id, ...url(), '--format', 'xva', '-o', file, '--json'],
      cli,
    )
    remove()
    expect(code).toBe(130)
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(existsSync(file) || existsSync(`${file}.part`)).toBe(false)
  })

  it('is reached through runCli', async () => {
    const { io: cli, out } = io()
    expect(await runCli(['export', '--help'], cli)).toBe(0)
    expect(out.stdout).toMatch(/xo-desk export vm/)
    expect(await runCli(['verify'], cli)).toBe(2)
  })
})

describe('xo-desk verify', () => {
  it('exits 0 on an intact export and 1 once it is changed', async () => {
    const file = join(dir, 'verified.vhd')
    const exported = io()
    expect(
      await exportCommand(
        ['vdi', lab.vdi.id, ...url(), '--format', 'vhd', '-o', file],
        exported.io,
      ),
    ).toBe(0)
    const ok = io()
    expect(await verifyCommand([file], ok.io)).toBe(0)
    expect(ok.out.stdout).toBe(`${file}: OK\n`)
    const json = io()
    expect(await verifyCommand([file, '--json'], json.io)).toBe(0)
    expect(JSON.parse(json.out.stdout)).toMatchObject({ ok: true })
    await appendFile(file, 'x')
    const bad = io()
    expect(await verifyCommand([file], bad.io)).toBe(1)
    expect(bad.out.stderr).toMatch(/does not match/)
    const none = io()
    expect(await verifyCommand([join(dir, 'nothing.vhd')], none.io)).toBe(1)
    expect(none.out.stderr).toMatch(/no nothing\.vhd\.sha256/)
  })
})
