// `xo-desk sim --bench-disk SIZE`: the two bench VDIs' ids printed at start-up, and curl exports them.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runCli } from '../run'
import { parseBenchDiskSize } from './sim'

const run = promisify(execFile)

async function startSim(args: string[]) {
  let out = ''
  let err = ''
  let stop = (): void => undefined
  const until = new Promise<void>((resolve) => (stop = resolve))
  const exited = runCli(
    ['sim', '--no-life', ...args],
    { stdout: (t) => (out += t), stderr: (t) => (err += t) },
    until,
  )
  const deadline = Date.now() + 20_000
  while (!out.includes('Press Ctrl+C')) {
    if (Date.now() > deadline || err) throw new Error(`xo-desk sim did not start:\n${out}${err}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return { out, stop, exited }
}

describe('xo-desk sim --bench-disk', () => {
  it('prints the ids of bench-disk and bench-sparse, which curl exports at their size', async () => {
    const sim = await startSim(['--bench-disk', '8M'])
    try {
      const url = /URL:\s+(\S+)/.exec(sim.out)?.[1] ?? ''
      const token = /Token: (\S+)/.exec(sim.out)?.[1] ?? ''
      const disk = /Bench disk .*: ([0-9a-f-]{36})/.exec(sim.out)?.[1]
      const sparse = /Bench sparse disk .*: ([0-9a-f-]{36})/.exec(sim.out)?.[1]
      expect(disk).toBeDefined()
      expect(sparse).toBeDefined()
      for (const [id, name] of [
        [disk, 'bench-disk'],
        [sparse, 'bench-sparse'],
      ] as const) {
        const { stdout: json } = await run('curl', [
          '-sS',
          '-H',
          `Cookie: authenticationToken=${token}`,
          `${url}/vdis/${id}?fields=name_label,size`,
        ])
        expect(JSON.parse(json)).toMatchObject({ name_label: name, size: 8 * 1024 * 1024 })
        const { stdout: size } = await run('curl', [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{size_download}',
          '-H',
          `Cookie: authenticationToken=${token}`,
          `${url}/vdis/${id}.raw`,
        ])
        expect(Number(size)).toBe(8 * 1024 * 1024)
      }
    } finally {
      sim.stop()
      expect(await sim.exited).toBe(0)
    }
  }, 30_000)

  it('refuses a size that is not one', async () => {
    let err = ''
    const code = await runCli(['sim', '--bench-disk', 'big'], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
    })
    expect(code).toBe(2)
    expect(err).toMatch(/--bench-disk must be a size such as 4G/)
  })

  it('reads sizes in binary units', () => {
    expect(parseBenchDiskSize('4G')).toBe(4 * 1024 ** 3)
    expect(parseBenchDiskSize('512M')).toBe(512 * 1024 ** 2)
    expect(parseBenchDiskSize('512MiB')).toBe(512 * 1024 ** 2)
    expect(parseBenchDiskSize('1073741824')).toBe(1024 ** 3)
    expect(parseBenchDiskSize('1000')).toBeUndefined() // not a multiple of 512
    expect(parseBenchDiskSize('0')).toBeUndefined()
  })
})
