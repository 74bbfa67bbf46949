// An import costs what its data costs, whatever the disk's virtual size: XO streams an upload to
// XAPI as it arrives (POST /srs/{id}/vdis), so a sparse VHD of a huge disk is a few MB of work.
// The simulator runs in its own process here: an import that hogs its event loop must show as
// unanswered pings, not freeze the test along with it.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isAllZero } from '../../formats/disk-content'
import { readVhdData } from '../../formats/vhd-read'
import { call } from '../../test-support/simulator-call'

const GiB = 1024 ** 3
/** A ping that gets no answer in this long counts as unanswered (they answer in milliseconds). */
const PING_PATIENCE_MS = 10_000

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const CHILD = `
const { startSimulator } = await import(process.env.XO_DESK_SIMULATOR)
const sim = await startSimulator({ seed: 'large-import', life: false })
process.stdout.write(JSON.stringify({ url: sim.url, token: sim.token }) + '\\n')
process.stdin.on('end', () => void sim.close().then(() => process.exit(0))).resume()
`

let child: ChildProcess
let sim: { url: string; token: string }
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-large-import-'))
  child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    // Its disk files go in our folder, removed whatever becomes of the process.
    env: {
      ...process.env,
      TMPDIR: dir,
      XO_DESK_SIMULATOR: new URL('../server.ts', import.meta.url).href,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  for await (const line of lines) {
    sim = JSON.parse(line) as typeof sim
    break
  }
})
afterAll(async () => {
  // Closing its stdin stops it; a simulator stuck in an import gets killed instead.
  const exited = once(child, 'exit')
  child.stdin?.end()
  await Promise.race([exited, sleep(5_000)])
  child.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

const cookie = (): Record<string, string> => ({ cookie: `authenticationToken=${sim.token}` })

async function download(path: string, file: string): Promise<string> {
  const res = await request(`${sim.url}${path}`, { headers: cookie() })
  expect(res.statusCode).toBe(200)
  await pipeline(res.body, createWriteStream(join(dir, file)))
  return join(dir, file)
}

/** 200, or what went wrong instead. */
async function ping(): Promise<number | string> {
  try {
    const res = await request(`${sim.url}/ping`, {
      headersTimeout: PING_PATIENCE_MS,
      bodyTimeout: PING_PATIENCE_MS,
    })
    await res.body.dump()
    return res.statusCode
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

/**
 * sha256 of a VHD's virtual size and of its non-zero blocks at their offsets, and how many bytes
 * those hold: the same for the same content without hashing 500 GiB of zeros. Both files here are
 * simulator exports, one 2 MiB VHD block per disk block, so their blocks line up.
 */
async function contentOf(vhd: string): Promise<{ digest: string; dataBytes: number }> {
  const hash = createHash('sha256')
  let dataBytes = 0
  const info = await readVhdData(vhd, async (offset, data) => {
    if (isAllZero(data)) return
    dataBytes += data.length
    hash.update(`${offset}+${data.length}\0`).update(data)
  })
  return { digest: hash.update(`size ${info.virtualSize}`).digest('hex'), dataBytes }
}

it('imports the VHD of a 500 GiB disk holding a few MB as its data costs: same content, /ping answered throughout', async () => {
  // A lab VDI grown to 500 GiB keeps its data in its first MB: the rest reads as zeros.
  const listed = await call(sim.url, 'GET', '/vdis?fields=id,$SR&filter=VDI_type:user&limit=1', {
    token: sim.token,
  })
  const [vdi] = listed.json as { id: string; $SR: string }[]
  if (!vdi) throw new Error('the lab has no user VDI')
  const grown = await call(sim.url, 'PATCH', `/vdis/${vdi.id}`, {
    token: sim.token,
    body: { size: 500 * GiB },
  })
  expect(grown.status).toBe(204)
  const exported = await download(`/vdis/${vdi.id}.vhd`, 'original.vhd')
  const body = await readFile(exported)

  const abort = new AbortController()
  let importing = true
  const pings: (number | string)[] = []
  const polling = (async () => {
    do {
      const answer = await ping()
      pings.push(answer)
      if (answer !== 200) abort.abort(new Error(`/ping got ${answer} during the import`))
    } while (importing && pings.at(-1) === 200)
  })()
  const imported = await request(`${sim.url}/srs/${vdi.$SR}/vdis?name_label=large`, {
    method: 'POST',
    headers: {
      ...cookie(),
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
    },
    body,
    signal: abort.signal,
  })
    .then(async (res) => ({ status: res.statusCode, json: (await res.body.json()) as unknown }))
    .catch((err: unknown) => ({ status: 0, json: String(err) }))
    .finally(() => (importing = false))
  await polling

  expect(pings.length).toBeGreaterThan(0)
  expect(pings.filter((answer) => answer !== 200)).toEqual([])
  expect(imported).toMatchObject({ status: 201, json: { id: expect.any(String) } })
  const { id } = imported.json as { id: string }
  const created = await call(sim.url, 'GET', `/vdis/${id}`, { token: sim.token })
  expect(created.json).toMatchObject({ size: 500 * GiB, $SR: vdi.$SR })
  const original = await contentOf(exported)
  expect(original.dataBytes).toBeGreaterThan(0)
  expect(await contentOf(await download(`/vdis/${id}.vhd`, 'imported.vhd'))).toEqual(original)
}, 120_000)
