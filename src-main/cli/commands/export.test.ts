// `xo-desk export` and `xo-desk verify` against the simulator: exit codes, --json, progress.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCertificate, startSimulator } from '../../simulator'
import { startExportLab, type ExportLab } from '../../test-support/export-lab'
import { exportToFile, type ExportClient } from '../../transfers/download'
import type { ExportSidecar } from '../../transfers/sidecar'
import { MemorySecretStore } from '../../vault/keychain'
import { runCli } from '../run'
import { exportCommand, type ExportIo } from './export'
import { instancesCommand } from './instances'
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

type Rec = { id: string } & Record<string, unknown>

/** An object of `collection` with at least one disk, its disks shrunk to 4 MiB. */
function withDisks(collection: 'vm-snapshots' | 'vm-templates'): Rec {
  const store = lab.sim.lab.store
  const disks = (o: Rec): Rec[] =>
    ((o['$VBDs'] as string[] | undefined) ?? []).flatMap((vbd) => {
      const id = store.get('vbds', vbd)?.['VDI']
      const found =
        typeof id === 'string'
          ? (store.get('vdis', id) ?? store.get('vdi-snapshots', id))
          : undefined
      return found ? [found] : []
    })
  const object = [...store.list(collection)].find((o) => disks(o).length > 0)
  if (!object) throw new Error(`no ${collection} with disks`)
  for (const d of disks(object))
    store.update(d['type'] === 'VDI-snapshot' ? 'vdi-snapshots' : 'vdis', d.id, {
      size: 4 * 1024 * 1024,
    })
  return object
}

const tarList = (args: string[]): string[] =>
  execFileSync('tar', args, { encoding: 'utf8' }).split('\n').filter(Boolean)

async function sidecarOf(file: string): Promise<ExportSidecar> {
  return JSON.parse(await readFile(`${file}.xodesk.json`, 'utf8')) as ExportSidecar
}

describe('xo-desk export of snapshots, templates and host files', () => {
  it('exports a VM snapshot as an XVA tar lists, its sidecar saying what and when', async () => {
    const snapshot = withDisks('vm-snapshots')
    const file = join(dir, 'snapshot.xva')
    const { io: cli, out } = io()
    const code = await exportCommand(
      ['snapshot', snapshot.id, ...url(), '--format', 'xva', '-o', file],
      cli,
    )
    expect(out.stderr).not.toMatch(/xo-desk:/)
    expect(code).toBe(0)
    expect(tarList(['-tf', file])[0]).toBe('ova.xml')
    const sidecar = await sidecarOf(file)
    expect(sidecar.object).toMatchObject({ type: 'VM-snapshot', uuid: snapshot.id })
    expect(sidecar.snapshotTime).toBe(
      new Date(Number(snapshot['snapshot_time']) * 1000).toISOString(),
    )
    expect(lab.sim.lab.requests).toContain(`GET /vm-snapshots/${snapshot.id}.xva`)
  })

  it('exports a template as an OVA and as a gzip XVA', async () => {
    const template = withDisks('vm-templates')
    const ova = join(dir, 'template.ova')
    expect(
      await exportCommand(
        ['template', template.id, ...url(), '--format', 'ova', '-o', ova],
        io().io,
      ),
    ).toBe(0)
    expect(tarList(['-tf', ova])[0]).toMatch(/\.ovf$/)
    expect((await sidecarOf(ova)).object).toMatchObject({ type: 'VM-template', uuid: template.id })
    const xva = join(dir, 'template.xva.gz')
    expect(
      await exportCommand(
        ['template', template.id, ...url(), '--format', 'xva', '--compress', 'gzip', '-o', xva],
        io().io,
      ),
    ).toBe(0)
    expect(tarList(['-tzf', xva])[0]).toBe('ova.xml')
  })

  it('exports a VDI snapshot as a VHD qemu-img reads, and raw at its size', async () => {
    const snap = [...lab.sim.lab.store.list('vdi-snapshots')][0] as Rec
    lab.sim.lab.store.update('vdi-snapshots', snap.id, { size: 4 * 1024 * 1024 })
    const vhd = join(dir, 'snap.vhd')
    expect(
      await exportCommand(
        ['vdi-snapshot', snap.id, ...url(), '--format', 'vhd', '-o', vhd],
        io().io,
      ),
    ).toBe(0)
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', '-f', 'vpc', vhd], { encoding: 'utf8' }),
    ) as {
      'virtual-size': number
    }
    expect(info['virtual-size']).toBeGreaterThanOrEqual(4 * 1024 * 1024)
    const sidecar = await sidecarOf(vhd)
    expect(sidecar.object).toMatchObject({ type: 'VDI-snapshot', uuid: snap.id })
    expect(sidecar.snapshotTime).toBe(new Date(Number(snap['snapshot_time']) * 1000).toISOString())
    const raw = join(dir, 'snap.raw')
    expect(
      await exportCommand(
        ['vdi-snapshot', snap.id, ...url(), '--format', 'raw', '-o', raw],
        io().io,
      ),
    ).toBe(0)
    expect((await stat(raw)).size).toBe(4 * 1024 * 1024)
  })

  it("exports a host's audit log (text) and its logs (a .tgz tar lists)", async () => {
    const host = [...lab.sim.lab.store.list('hosts')][0] as Rec
    const audit = join(dir, 'audit.txt')
    const first = io()
    expect(await exportCommand(['host-audit', host.id, ...url(), '-o', audit], first.io)).toBe(0)
    expect((await readFile(audit, 'utf8')).length).toBeGreaterThan(0)
    expect(await sidecarOf(audit)).toMatchObject({
      format: 'txt',
      object: { type: 'host', uuid: host.id, name: host['name_label'] },
    })
    expect(lab.sim.lab.requests).toContain(`GET /hosts/${host.id}/audit.txt`)
    const logs = join(dir, 'logs.tgz')
    expect(
      await exportCommand(['host-logs', host.id, ...url(), '--format', 'tgz', '-o', logs], io().io),
    ).toBe(0)
    expect(tarList(['-tzf', logs]).length).toBeGreaterThan(0)
    expect((await sidecarOf(logs)).format).toBe('tgz')
    expect(sha256sumOk(logs)).toBe(true)
  })

  it('a .tgz cut short is refused as incomplete; a halted host fails readably; --format is checked', async () => {
    const host = [...lab.sim.lab.store.list('hosts')][0] as Rec
    const logs = join(dir, 'cut.tgz')
    // A body that ends cleanly but short (a proxy that drops the tail): only the format says so.
    const whole = await readFile(join(dir, 'logs.tgz'))
    for (const body of [whole.subarray(0, whole.length - 10), gzipSync(Buffer.alloc(700, 1))]) {
      const cut = exportToFile({
        client: {
          host: 'xo.test',
          download: () =>
            Promise.resolve({
              status: 200,
              headers: {},
              body: Readable.from([body]),
              explain: (e: unknown) => e,
            }),
        } as unknown as ExportClient,
        path: `/hosts/${host.id}/logs.tgz`,
        file: logs,
        expect: { format: 'tgz' },
        source: { url: lab.sim.url, object: { type: 'host', uuid: host.id } },
        retries: 0,
      })
      await expect(cut).rejects.toThrow(/incomplete or damaged/)
      expect(existsSync(logs) || existsSync(`${logs}.part`)).toBe(false)
    }
    lab.sim.lab.store.update('hosts', host.id, { power_state: 'Halted' })
    try {
      const halted = io()
      expect(
        await exportCommand(
          ['host-audit', host.id, ...url(), '-o', join(dir, 'h.txt'), '--retries', '0'],
          halted.io,
        ),
      ).toBe(1)
      expect(halted.out.stderr).toMatch(/xo-desk: /)
      expect(existsSync(join(dir, 'h.txt'))).toBe(false)
    } finally {
      lab.sim.lab.store.update('hosts', host.id, { power_state: 'Running' })
    }
    const bad = io()
    expect(
      await exportCommand(['host-logs', host.id, ...url(), '--format', 'xva', '-o', logs], bad.io),
    ).toBe(2)
    expect(bad.out.stderr).toMatch(/--format must be tgz/)
  })
})

function sha256sumOk(file: string): boolean {
  execFileSync('sha256sum', ['-c', `${basename(file)}.sha256`], { cwd: dir })
  return true
}

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

describe('xo-desk export --instance', () => {
  // The app's instances in the test's config folder, their tokens in memory.
  const secrets = new MemorySecretStore()
  async function add(name: string, url: string, token: string, ...flags: string[]) {
    const { io: cli, out } = io({ secrets, readStdin: () => Promise.resolve(token) })
    const code = await instancesCommand(['add', name, '--url', url, '--token-stdin', ...flags], cli)
    if (code !== 0) throw new Error(`instances add ${name}: ${out.stderr}`)
  }

  it('exports a VM through a saved instance: the file, its .sha256, the instance in the sidecar', async () => {
    await add('lab', lab.sim.url, lab.sim.token)
    const file = join(dir, 'instance-vm.xva')
    const { io: cli, out } = io({ secrets, readStdin: () => Promise.resolve('') })
    const code = await exportCommand(
      ['vm', lab.vm.id, '--instance', 'lab', '--format', 'xva', '-o', file],
      cli,
    )
    expect(out.stderr).not.toMatch(/xo-desk:/)
    expect(code).toBe(0)
    expect(existsSync(file)).toBe(true)
    expect(existsSync(`${file}.sha256`)).toBe(true)
    expect(sha256sumOk(file)).toBe(true)
    const sidecar = JSON.parse(await readFile(`${file}.xodesk.json`, 'utf8')) as ExportSidecar
    expect(sidecar.source).toMatchObject({ instance: 'lab' })
    expect(sidecar.object).toMatchObject({ type: 'VM', uuid: lab.vm['uuid'] ?? lab.vm.id })
  })

  it('a changed certificate is refused before anything is sent: exit 3, no file', async () => {
    const first = await generateCertificate()
    const pinned = await startSimulator({ tls: first, seed: 'cli-export-tls', life: false })
    const port = Number(new URL(pinned.url).port)
    await add('pinned', pinned.url, pinned.token, '--trust', first.fingerprint256)
    const vm = [...pinned.lab.store.list('vms')][0]
    await pinned.close()
    const other = await generateCertificate()
    const changed = await startSimulator({ tls: other, port, seed: 'cli-export-tls', life: false })
    try {
      const file = join(dir, 'pinned.xva')
      const { io: cli, out } = io({ secrets })
      const code = await exportCommand(
        ['vm', String(vm?.id), '--instance', 'pinned', '--format', 'xva', '-o', file],
        cli,
      )
      expect(code).toBe(3)
      expect(out.stderr).toContain(first.fingerprint256)
      expect(out.stderr).toContain(other.fingerprint256)
      expect(changed.lab.requests).toEqual([])
      expect(existsSync(file) || existsSync(`${file}.part`)).toBe(false)
    } finally {
      await changed.close()
    }
  })
})
