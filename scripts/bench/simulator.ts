// Simulator benchmark: `GET /vms?fields=…` for 10,000 VMs, JSON and NDJSON, timed with curl against
// the simulator in this same run, beside a baseline (`GET /ping`, same server, same curl) because
// these machines are shared and noisy. Target: 10,000 VMs with 5 fields in under 150 ms.
import { execFile } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { generateLab } from '../../src-main/simulator/lab/generate'
import { startSimulator } from '../../src-main/simulator/server'

const RUNS = 15
const FIELDS = 'name_label,power_state,$pool,$container,CPUs'
const run = promisify(execFile)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

/**
 * curl's own timing of one transfer, in ms (`time_total`), and the bytes it received. Async: the
 * simulator runs in this process and must keep answering while curl waits.
 */
async function curl(url: string, token: string): Promise<{ ms: number; bytes: number }> {
  const { stdout } = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-b',
    `authenticationToken=${token}`,
    '-w',
    '%{time_total} %{size_download}',
    url,
  ])
  const [seconds, bytes] = stdout.trim().split(' ').map(Number)
  return { ms: (seconds ?? NaN) * 1000, bytes: bytes ?? 0 }
}

export async function benchSimulator(): Promise<string[]> {
  const lines: string[] = []
  for (const vms of [10_000, 100_000]) {
    const t0 = performance.now()
    generateLab({ seed: 'bench', vms })
    lines.push(
      `lab generation, ${vms.toLocaleString('en')} VMs: ${(performance.now() - t0).toFixed(0)} ms`,
    )
  }

  const sim = await startSimulator({ seed: 'bench', vms: 10_000, life: false })
  try {
    const measure = async (path: string): Promise<{ ms: number; bytes: number }> => {
      await curl(`${sim.url}${path}`, sim.token) // warm-up
      const runs: { ms: number; bytes: number }[] = []
      for (let i = 0; i < RUNS; i++) runs.push(await curl(`${sim.url}${path}`, sim.token))
      return { ms: median(runs.map((r) => r.ms)), bytes: runs[0]?.bytes ?? 0 }
    }
    const baseline = await measure('/ping')
    lines.push(`baseline curl GET /ping: ${baseline.ms.toFixed(2)} ms (median of ${RUNS})`)
    for (const [label, path] of [
      ['JSON', `/vms?fields=${FIELDS}`],
      ['NDJSON', `/vms?fields=${FIELDS}&ndjson=true`],
    ] as const) {
      const r = await measure(path)
      lines.push(
        `GET /vms?fields=<5 fields> ${label}, 10,000 VMs: ${r.ms.toFixed(1)} ms per response, ` +
          `${(1000 / r.ms).toFixed(1)} req/s, ${(r.bytes / 1e6).toFixed(2)} MB, ` +
          `${(r.ms / baseline.ms).toFixed(1)}× the /ping baseline; target < 150 ms: ${r.ms < 150 ? 'met' : 'NOT met'}`,
      )
    }
  } finally {
    await sim.close()
  }
  return lines
}
