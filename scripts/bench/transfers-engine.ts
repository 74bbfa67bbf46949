// One engine transfer in its own process, for scripts/bench/transfers.ts: so its peak RSS is the
// engine's alone (the simulator runs in the benchmark's process). Reads a JSON job from argv[2],
// prints one JSON line: the time of the call, the peak RSS growth during it, the digest.
import { createReadStream, createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { request } from 'undici'
import { exportToFile } from '../../src-main/transfers/download'
import { importImage } from '../../src-main/transfers/upload'
import { XoClient } from '../../src-main/xo/client'

export interface EngineJob {
  /** `reference-*`: a few lines of undici and fs streams, no checks: what Node itself reaches. */
  op: 'export' | 'import' | 'reference-export' | 'reference-import'
  url: string
  token: string
  /** export: the VDI to read; import: the VDI whose content is replaced (`PUT /vdis/{id}.raw`). */
  vdi: string
  /** export: written (sparse) here; import: read from here. */
  file: string
  size: number
  checksum: boolean
}

export interface EngineRun {
  ms: number
  /** Peak RSS during the call minus the peak before it (`process.resourceUsage().maxRSS`). */
  rssGrowthBytes: number
  sha256?: string
}

const job = JSON.parse(process.argv[2] ?? '{}') as EngineJob
const client = new XoClient({ baseUrl: job.url, token: () => job.token })
const signal = new AbortController().signal
try {
  const before = process.resourceUsage().maxRSS * 1024
  const t0 = performance.now()
  let sha256: string | undefined
  if (job.op === 'export') {
    const result = await exportToFile({
      client,
      path: `/vdis/${job.vdi}.raw`,
      file: job.file,
      expect: { format: 'raw', size: job.size },
      source: { url: job.url, object: { type: 'VDI', uuid: job.vdi } },
      retries: 0,
      checksum: job.checksum,
      signal,
    })
    sha256 = result.sha256
  } else if (job.op === 'reference-export') {
    const res = await request(`${job.url}/vdis/${job.vdi}.raw`, {
      headers: { cookie: `authenticationToken=${job.token}` },
    })
    await pipeline(res.body, createWriteStream(job.file))
  } else if (job.op === 'reference-import') {
    const res = await request(`${job.url}/vdis/${job.vdi}.raw`, {
      method: 'PUT',
      headers: { cookie: `authenticationToken=${job.token}`, 'content-length': String(job.size) },
      body: createReadStream(job.file),
    })
    await res.body.dump()
    if (res.statusCode !== 204) throw new Error(`PUT answered ${res.statusCode}`)
  } else {
    const result = await importImage(
      client,
      { file: job.file, target: { kind: 'existing-vdi', vdi: job.vdi }, checksum: job.checksum },
      signal,
    )
    sha256 = result.sha256
  }
  const ms = performance.now() - t0
  const run: EngineRun = {
    ms,
    rssGrowthBytes: process.resourceUsage().maxRSS * 1024 - before,
    ...(sha256 ? { sha256 } : {}),
  }
  process.stdout.write(`${JSON.stringify(run)}\n`)
} finally {
  await client.close()
}
