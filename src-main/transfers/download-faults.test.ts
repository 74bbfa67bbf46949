// Every way an export can fail leaves no final file and no `.part`, says what happened and what to
// do, and the next export succeeds.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { startExportLab, type ExportLab } from '../test-support/export-lab'
import { XoClient, type XoDownload } from '../xo/client'
import { exportToFile, partFile, type ExportClient, type ExportOptions } from './download'

let lab: ExportLab
let dir: string
let token: string
let client: XoClient

beforeAll(async () => {
  lab = await startExportLab(16 * 1024 * 1024, 4 * 1024 * 1024)
  // A token of its own: the expired-token case must not end the admin's session.
  token = lab.sim.lab.auth.issueToken(lab.sim.lab.adminUserId).id
  // A short idle timeout, so the stall case is quick.
  client = new XoClient({
    baseUrl: lab.sim.url,
    token: () => token,
    timeouts: { stream: { idleMs: 300 } },
    retry: { attempts: 1 },
  })
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-export-faults-'))
})
afterAll(async () => {
  await client.close()
  await lab.sim.close()
  await rm(dir, { recursive: true, force: true })
})

const xva = (file: string, more: Partial<ExportOptions> = {}): ExportOptions => ({
  client,
  path: `/vms/${lab.vm.id}.xva`,
  file,
  expect: { format: 'xva' },
  source: lab.vmSource,
  retries: 0,
  retryDelayMs: 0,
  ...more,
})

async function failureOf(options: ExportOptions): Promise<AppFailure> {
  const err = await exportToFile(options).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof AppFailure)) throw new Error(`expected an AppFailure, got ${String(err)}`)
  return err
}

/** Nothing of a failed export is left: no final name, no part, no sidecars. */
async function expectNothingLeft(file: string): Promise<void> {
  expect(existsSync(file)).toBe(false)
  expect(existsSync(partFile(file))).toBe(false)
  expect(existsSync(`${file}.sha256`)).toBe(false)
  expect(existsSync(`${file}.xodesk.json`)).toBe(false)
}

async function expectNextSucceeds(file: string, options: Partial<ExportOptions> = {}) {
  const done = await exportToFile(xva(file, options))
  expect(existsSync(file)).toBe(true)
  expect(existsSync(partFile(file))).toBe(false)
  expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n')[0]).toBe('ova.xml')
  return done
}

describe('export failures', () => {
  it('a connection dropped at a random byte', async () => {
    const at = 1 + Math.floor(Math.random() * 2_000_000)
    lab.sim.faults.next('GET', `/vms/${lab.vm.id}.xva`, { kind: 'drop-after', bytes: at })
    const file = join(dir, 'dropped.xva')
    const failure = await failureOf(xva(file))
    expect(failure.appError.code, `dropped after ${at} bytes`).toBe('unreachable')
    expect(failure.message).toMatch(/closed before the answer was complete/)
    expect(failure.appError.action).toMatch(/Try again/)
    await expectNothingLeft(file)
    await expectNextSucceeds(file)
  })

  it('a 500 before the body', async () => {
    lab.sim.faults.next('GET', `/vdis/${lab.vdi.id}.vhd`, {
      kind: 'status',
      status: 500,
      message: 'simulated export failure',
    })
    const file = join(dir, 'status.vhd')
    const options: ExportOptions = {
      ...xva(file),
      path: `/vdis/${lab.vdi.id}.vhd`,
      expect: { format: 'vhd' },
      source: lab.vdiSource,
    }
    const failure = await failureOf(options)
    expect(failure.appError.code).toBe('xo-failed')
    expect(failure.message).toMatch(/simulated export failure|500/)
    expect(failure.appError.action.length).toBeGreaterThan(0)
    await expectNothingLeft(file)
    await exportToFile(options)
    expect(existsSync(file)).toBe(true)
  })

  it('a stall past the idle timeout', async () => {
    lab.sim.faults.next('GET', `/vms/${lab.vm.id}.xva`, { kind: 'stall', bytes: 200_000 })
    const file = join(dir, 'stalled.xva')
    const failure = await failureOf(xva(file))
    expect(failure.appError.code).toBe('timeout')
    expect(failure.message).toMatch(/stopped sending data for 0\.3 s/)
    expect(failure.appError.action).toMatch(/Try again/)
    await expectNothingLeft(file)
    lab.sim.dropConnections()
    await expectNextSucceeds(file)
  })

  it('the disk filling up (a 2 MiB tmpfs)', async () => {
    const small = join(dir, 'small')
    await mkdir(small)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small], { stdio: 'pipe' })
    } catch (err) {
      throw new Error(
        `could not mount a 2 MiB tmpfs on ${small} (this test needs root, as in CI): ${String(err)}`,
        { cause: err },
      )
    }
    try {
      // An XVA has no Content-Length: the disk fills up while streaming (ENOSPC).
      const file = join(small, 'full.xva')
      const failure = await failureOf(xva(file))
      expect(failure.appError.code).toBe('disk-full')
      expect(failure.message).toMatch(/full/)
      expect(failure.appError.action).toMatch(/Free some space/)
      await expectNothingLeft(file)
      expect(await readdir(small)).toEqual([])
      // A VHD announces its size: refused before the first byte, free space checked.
      const vhd = join(small, 'full.vhd')
      const early = await failureOf({
        ...xva(vhd),
        path: `/vdis/${lab.vdi.id}.vhd`,
        expect: { format: 'vhd' },
        source: lab.vdiSource,
      })
      expect(early.appError.code).toBe('disk-full')
      expect(early.message).toMatch(/needs [\d.]+ MiB but only [\d.]+ MiB are free/)
      await expectNothingLeft(vhd)
    } finally {
      execFileSync('umount', [small])
    }
    await expectNextSucceeds(join(dir, 'after-full.xva'))
  })

  it('a cancel mid-stream aborts the request', async () => {
    const remove = lab.sim.faults.add({
      method: 'GET',
      path: `/vms/${lab.vm.id}.xva`,
      fault: { kind: 'throttle', bytesPerSecond: 2_000_000 },
      times: 1,
    })
    const controller = new AbortController()
    let afterAbort = 0
    const file = join(dir, 'cancelled.xva')
    const failure = await failureOf(
      xva(file, {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (controller.signal.aborted) afterAbort++
          else if (p.bytes > 100_000) controller.abort()
        },
      }),
    )
    remove()
    expect(failure.appError.code).toBe('cancelled')
    expect(failure.message).toMatch(/cancelled/)
    expect(failure.appError.action).toMatch(/Start it again/)
    await expectNothingLeft(file)
    // The transfer stopped at the cancel (a chunk already on its way at most), not at its end…
    expect(afterAbort).toBeLessThanOrEqual(1)
    // …and the request was aborted: no socket of the pool is still busy with it.
    expect(client.stats().running).toBe(0)
    await expectNextSucceeds(file)
  })

  it('a token expired midway: the retry after a cut is refused, and a new token works', async () => {
    lab.sim.faults.next('GET', `/vms/${lab.vm.id}.xva`, { kind: 'drop-after', bytes: 250_000 })
    const file = join(dir, 'expired.xva')
    let expiring = false
    const failure = await failureOf(
      xva(file, {
        retries: 2,
        onProgress: (p) => {
          if (p.attempt === 1 && !expiring) {
            expiring = true
            lab.sim.faults.next('GET', `/vms/${lab.vm.id}.xva`, { kind: 'expire-token' })
          }
        },
      }),
    )
    expect(expiring).toBe(true)
    expect(failure.appError.code).toBe('auth-expired')
    expect(failure.message).toMatch(/expired or was revoked/)
    expect(failure.appError.action).toMatch(/Sign in/)
    await expectNothingLeft(file)
    token = lab.sim.lab.auth.issueToken(lab.sim.lab.adminUserId).id
    await expectNextSucceeds(file)
  })

  it('a body that ends cleanly but early (no length, connection closed) fails the format check', async () => {
    // As a proxy may answer: no Content-Length, no chunking, the end of the body is the close
    // (RFC 9112, section 6.3), here after half of a real XVA.
    const res = await request(`${lab.sim.url}/vms/${lab.vm.id}.xva`, {
      headers: { cookie: `authenticationToken=${lab.sim.token}` },
    })
    const whole = Buffer.from(await res.body.arrayBuffer())
    const half = whole.subarray(0, Math.floor(whole.length / 2))
    const sockets = new Set<Socket>()
    const server = createServer((socket) => {
      sockets.add(socket)
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n')
        socket.end(Buffer.concat([Buffer.from('Connection: close\r\n\r\n'), half]))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const proxy = new XoClient({ baseUrl: `http://127.0.0.1:${address.port}`, token: () => token })
    const file = join(dir, 'cut-cleanly.xva')
    try {
      const failure = await failureOf(xva(file, { client: proxy }))
      expect(failure.appError.code).toBe('xo-failed')
      expect(failure.message).toMatch(/incomplete or damaged/)
      expect(failure.appError.action).toMatch(/Try again/)
      await expectNothingLeft(file)
    } finally {
      await proxy.close()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    }
    await expectNextSucceeds(file)
  })

  it('a body shorter than its Content-Length is refused even if the client let it through', async () => {
    // undici already fails such a body (UND_ERR_RES_CONTENT_LENGTH_MISMATCH); this checks the
    // engine's own count, with a client that hands over a short body as complete.
    const fake: ExportClient = {
      host: 'xo.test',
      download: () =>
        Promise.resolve({
          status: 200,
          headers: { 'content-length': '4096' },
          body: Readable.from([Buffer.alloc(1000, 1)]) as XoDownload['body'],
          explain: (e: unknown) => e,
        }),
    }
    const file = join(dir, 'short.vhd')
    const failure = await failureOf({ ...xva(file), client: fake, expect: { format: 'vhd' } })
    expect(failure.appError.code).toBe('xo-failed')
    expect(failure.message).toMatch(/1000 bytes received of 4096/)
    await expectNothingLeft(file)
  })
})
