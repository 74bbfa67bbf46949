// Transfer benchmark: the engine (src-main/transfers) against curl, in the same run, on a simulator
// with bench disks of BENCH_DISK_SIZE (default 4 GiB, `xo-desk sim --bench-disk`) on loopback. Raw
// export of bench-disk (curl -o vs exportToFile with and without SHA-256), import into bench-disk
// (curl -T -X PUT vs importImage with and without SHA-256), the engine's peak RSS growth (each engine
// transfer runs in its own process), and a sparse raw export of bench-sparse (bytes on disk).
import { execFile } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { startSimulator, type RunningSimulator } from '../../src-main/simulator/server'
import type { EngineJob, EngineRun } from './transfers-engine'

const run = promisify(execFile)
const MiB = 1024 ** 2
const RUNS = 3
const ENGINE = new URL('./transfers-engine.ts', import.meta.url).pathname
const TSCONFIG = new URL('../../tsconfig.node.json', import.meta.url).pathname

/** `4G`, `512M`, `1073741824` (binary units). */
function sizeFromEnv(text: string | undefined): number {
  if (!text) return 4 * 1024 ** 3
  const m = /^(\d+)([KMGT]?)$/i.exec(text.trim())
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 ** 3, T: 1024 ** 4 }[(m?.[2] ?? '').toUpperCase()]
  const bytes = Number(m?.[1]) * (unit ?? NaN)
  if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % 512 !== 0)
    throw new Error(`BENCH_DISK_SIZE must be a size such as 4G or 512M, not "${text}"`)
  return bytes
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const best = (values: number[]): number => Math.min(...values)
const gbps = (bytes: number, ms: number): string => `${(bytes / 1e6 / ms).toFixed(2)} GB/s`
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`

async function curlMs(args: string[]): Promise<number> {
  const { stdout } = await run('curl', ['-sS', '-w', '%{time_total}', ...args])
  return Number(stdout.trim()) * 1000
}

async function engine(job: EngineJob): Promise<EngineRun> {
  // The engine as the app would run it, in its own process (Node from node_modules, via tsx).
  const { stdout } = await run(process.execPath, ['--import', 'tsx', ENGINE, JSON.stringify(job)], {
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    maxBuffer: MiB,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as EngineRun
}

async function onDisk(file: string): Promise<number> {
  return (await stat(file)).blocks * 512
}

interface Series {
  ms: number[]
  rss: number[]
}
const series = (): Series => ({ ms: [], rss: [] })

function ratioLine(
  label: string,
  size: number,
  s: Series,
  baseline: Series,
  target: number,
  extra = '',
): string {
  const ratio = best(baseline.ms) / best(s.ms)
  return (
    `${label}: best ${best(s.ms).toFixed(0)} ms (${gbps(size, best(s.ms))}), median ${median(s.ms).toFixed(0)} ms` +
    ` = ${ratio.toFixed(2)}× curl's throughput; target ≥ ${target.toFixed(1)}×: ${ratio >= target ? 'met' : 'NOT met'}${extra}`
  )
}

export async function benchTransfers(): Promise<string[]> {
  const size = sizeFromEnv(process.env['BENCH_DISK_SIZE'])
  const dir = await mkdtemp(join(tmpdir(), 'xo-desk-bench-transfers-'))
  let sim: RunningSimulator | undefined
  try {
    sim = await startSimulator({ seed: 'bench', life: false, benchDisk: size, host: '127.0.0.1' })
    const bench = sim.lab.benchDisks
    if (!bench) throw new Error('the simulator has no bench disks')
    const { url, token } = sim
    const cookie = `Cookie: authenticationToken=${token}`
    const rawUrl = (id: string): string => `${url}/vdis/${id}.raw`
    const lines: string[] = [
      `bench disks of ${mib(size)} (BENCH_DISK_SIZE), simulator on loopback in this process; best of ${RUNS}, interleaved`,
    ]

    // Exports of bench-disk (all data): curl, the engine with and without SHA-256, in turns.
    const curlExport = series()
    const curlSyncExport = series()
    const referenceExport = series()
    const engineExport = series()
    const engineExportNoSha = series()
    const source = join(dir, 'source.raw') // the import source, kept from a curl export
    await run('curl', ['-sS', '-o', source, '-H', cookie, rawUrl(bench.disk.id)])
    for (let i = 0; i < RUNS; i++) {
      const curled = join(dir, 'curl.raw')
      curlExport.ms.push(await curlMs(['-o', curled, '-H', cookie, rawUrl(bench.disk.id)]))
      await rm(curled, { force: true })
      // The engine syncs a raw export to disk before it renames it: curl, then `sync FILE`.
      const t0 = performance.now()
      await run('curl', ['-sS', '-o', curled, '-H', cookie, rawUrl(bench.disk.id)])
      await run('sync', [curled])
      curlSyncExport.ms.push(performance.now() - t0)
      await rm(curled, { force: true })
      const ref = join(dir, 'reference.raw')
      const r = await engine({
        op: 'reference-export',
        url,
        token,
        vdi: bench.disk.id,
        file: ref,
        size,
        checksum: false,
      })
      referenceExport.ms.push(r.ms)
      referenceExport.rss.push(r.rssGrowthBytes)
      await rm(ref, { force: true })
      for (const [checksum, s] of [
        [true, engineExport],
        [false, engineExportNoSha],
      ] as const) {
        const file = join(dir, `engine-${String(checksum)}.raw`)
        const r = await engine({
          op: 'export',
          url,
          token,
          vdi: bench.disk.id,
          file,
          size,
          checksum,
        })
        s.ms.push(r.ms)
        s.rss.push(r.rssGrowthBytes)
        await rm(file, { force: true })
        await rm(`${file}.sha256`, { force: true })
        await rm(`${file}.xodesk.json`, { force: true })
      }
    }
    lines.push(
      `raw export, curl -o FILE (baseline): best ${best(curlExport.ms).toFixed(0)} ms (${gbps(size, best(curlExport.ms))}), median ${median(curlExport.ms).toFixed(0)} ms`,
      `raw export, curl -o FILE then sync FILE (the engine's durability): best ${best(curlSyncExport.ms).toFixed(0)} ms (${gbps(size, best(curlSyncExport.ms))})`,
      `raw export, reference Node client (undici request → fs.createWriteStream, no fsync): best ${best(referenceExport.ms).toFixed(0)} ms (${gbps(size, best(referenceExport.ms))}) = ${(best(curlExport.ms) / best(referenceExport.ms)).toFixed(2)}× curl; peak RSS growth ${mib(Math.max(...referenceExport.rss))}`,
      ratioLine(
        'raw export, exportToFile with SHA-256',
        size,
        engineExport,
        curlExport,
        0.9,
        `; ${(best(curlSyncExport.ms) / best(engineExport.ms)).toFixed(2)}× curl + sync`,
      ),
      ratioLine(
        'raw export, exportToFile without SHA-256',
        size,
        engineExportNoSha,
        curlExport,
        1.0,
        `; ${(best(curlSyncExport.ms) / best(engineExportNoSha.ms)).toFixed(2)}× curl + sync`,
      ),
    )

    // Imports into bench-disk (PUT /vdis/{id}.raw) of the exported bytes.
    const curlImport = series()
    const referenceImport = series()
    const engineImport = series()
    const engineImportNoSha = series()
    for (let i = 0; i < RUNS; i++) {
      curlImport.ms.push(
        await curlMs([
          '-T',
          source,
          '-X',
          'PUT',
          '-o',
          '/dev/null',
          '-H',
          cookie,
          rawUrl(bench.disk.id),
        ]),
      )
      const r = await engine({
        op: 'reference-import',
        url,
        token,
        vdi: bench.disk.id,
        file: source,
        size,
        checksum: false,
      })
      referenceImport.ms.push(r.ms)
      referenceImport.rss.push(r.rssGrowthBytes)
      for (const [checksum, s] of [
        [true, engineImport],
        [false, engineImportNoSha],
      ] as const) {
        const r = await engine({
          op: 'import',
          url,
          token,
          vdi: bench.disk.id,
          file: source,
          size,
          checksum,
        })
        s.ms.push(r.ms)
        s.rss.push(r.rssGrowthBytes)
      }
    }
    lines.push(
      `raw import, curl -T FILE -X PUT (baseline): best ${best(curlImport.ms).toFixed(0)} ms (${gbps(size, best(curlImport.ms))}), median ${median(curlImport.ms).toFixed(0)} ms`,
      `raw import, reference Node client (undici request, fs.createReadStream body): best ${best(referenceImport.ms).toFixed(0)} ms (${gbps(size, best(referenceImport.ms))}) = ${(best(curlImport.ms) / best(referenceImport.ms)).toFixed(2)}× curl; peak RSS growth ${mib(Math.max(...referenceImport.rss))}`,
      ratioLine('raw import, importImage with SHA-256', size, engineImport, curlImport, 0.9),
      ratioLine(
        'raw import, importImage without SHA-256',
        size,
        engineImportNoSha,
        curlImport,
        0.9,
      ),
    )

    const rssExport = Math.max(...engineExport.rss, ...engineExportNoSha.rss)
    const rssImport = Math.max(...engineImport.rss, ...engineImportNoSha.rss)
    const rssLimit = 64 * MiB
    lines.push(
      `engine peak RSS growth (own process, maxRSS), ${mib(size)} export: ${mib(rssExport)}, import: ${mib(rssImport)}; target ≤ 64 MiB: ${Math.max(rssExport, rssImport) <= rssLimit ? 'met' : 'NOT met'}`,
    )

    // A sparse raw export of bench-sparse: only its data should take room on disk.
    const sparseFile = join(dir, 'sparse.raw')
    await engine({
      op: 'export',
      url,
      token,
      vdi: bench.sparse.id,
      file: sparseFile,
      size,
      checksum: true,
    })
    const data = Math.ceil(Number(bench.sparse['usage']))
    const used = await onDisk(sparseFile)
    lines.push(
      `sparse raw export of bench-sparse (${mib(data)} of data in ${mib((await stat(sparseFile)).size)}): ${mib(used)} on disk (stat blocks × 512); target ≤ data + 1 MiB: ${used <= data + MiB ? 'met' : 'NOT met'}`,
    )
    return lines
  } finally {
    await sim?.close()
    await rm(dir, { recursive: true, force: true })
  }
}
