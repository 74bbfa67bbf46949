// `npx xo-desk sim` as an admin uses it: URL and token printed, curl works against it, Ctrl+C stops it.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../run'

const run = promisify(execFile)

/** Ctrl+C in a terminal: SIGINT to the whole process group. */
function interrupt(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT')
}

async function startCli(
  args: string[],
): Promise<{ child: ChildProcess; url: string; token: string; output: () => string }> {
  // The built CLI (npm test builds before Vitest), run the way the README says: npx xo-desk sim.
  // Its own process group, so "Ctrl+C" reaches npx and the CLI together, as in a terminal.
  const child = spawn('npx', ['xo-desk', 'sim', '--no-life', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const deadline = Date.now() + 20_000
  while (!/Token: \S+/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`xo-desk sim did not start:\n${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    child,
    url: /URL:\s+(\S+)/.exec(out)?.[1] ?? '',
    token: /Token: (\S+)/.exec(out)?.[1] ?? '',
    output: () => out,
  }
}

describe('xo-desk sim', () => {
  let sim: Awaited<ReturnType<typeof startCli>>
  beforeAll(async () => {
    sim = await startCli(['--seed', 'cli', '--vms', '40'])
  }, 30_000)
  afterAll(() => {
    interrupt(sim.child)
  })

  it('prints the REST base URL on loopback and an admin token', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rest\/v0$/)
    expect(sim.token).toMatch(/^[\w-]{20,}$/)
  })

  it('answers the README curl command with the running VMs, as XO would', async () => {
    const { stdout } = await run('curl', [
      '-s',
      '-b',
      `authenticationToken=${sim.token}`,
      `${sim.url}/vms?fields=name_label,power_state&filter=power_state:Running`,
    ])
    const vms = JSON.parse(stdout) as { name_label: string; power_state: string; href: string }[]
    expect(vms.length).toBeGreaterThan(0)
    for (const vm of vms) {
      expect(Object.keys(vm)).toEqual(['name_label', 'power_state', 'href'])
      expect(vm.power_state).toBe('Running')
      expect(vm.href).toMatch(/^\/rest\/v0\/vms\/[0-9a-f-]{36}$/)
    }
  })

  it('serves `xo-desk ls … --json` the same JSON as the equivalent curl', async () => {
    const env = { ...process.env, T: sim.token, URL: sim.url }
    const { stdout: ours } = await run(
      'bash',
      [
        '-c',
        'printf %s "$T" | npx xo-desk ls vms --url "$URL" --token-stdin --fields name_label,power_state --filter power_state:Running --json',
      ],
      { env },
    )
    const { stdout: theirs } = await run(
      'bash',
      [
        '-c',
        'curl -s -b "authenticationToken=$T" "$URL/vms?fields=name_label,power_state&filter=power_state:Running"',
      ],
      { env },
    )
    expect(JSON.parse(theirs)).not.toEqual([])
    expect(ours).toBe(`${theirs}\n`)
  }, 30_000)

  it('reports a refused token on stderr, in words, with a non-zero exit code', async () => {
    const env = { ...process.env, URL: sim.url }
    const failure = await run(
      'bash',
      ['-c', 'printf %s wrong-token | npx xo-desk ls vms --url "$URL" --token-stdin --json'],
      { env },
    ).catch((err: { code: number; stderr: string; stdout: string }) => err)
    expect('code' in failure ? failure.code : 0).toBe(1)
    expect(failure.stdout).toBe('')
    expect(failure.stderr).toMatch(/sign in|token/i)
  }, 30_000)

  it('stops cleanly on Ctrl+C, with exit code 0', async () => {
    // The CLI itself (npm's own wrapper exits by the signal, whatever its child does).
    const child = spawn(process.execPath, ['bin/xo-desk.mjs', 'sim', '--no-life'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    while (!out.includes('Ctrl+C')) await new Promise((r) => setTimeout(r, 50))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  }, 30_000)
})

describe('xo-desk sim options', () => {
  it('serves HTTPS with --tls and prints the certificate fingerprint that curl sees', async () => {
    const tls = await startCli(['--tls'])
    try {
      expect(tls.url).toMatch(/^https:/)
      const fingerprint = /SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(tls.output())?.[1]
      expect(fingerprint).toBeDefined()
      const { stdout } = await run('curl', ['-sk', `${tls.url}/ping`])
      expect(JSON.parse(stdout)).toMatchObject({ result: 'pong' })
      // Without -k, curl refuses the self-signed certificate: a client must pin or trust it.
      await expect(run('curl', ['-s', `${tls.url}/ping`])).rejects.toThrow()
    } finally {
      interrupt(tls.child)
    }
  }, 30_000)

  it('applies --fault: the matching request gets the injected status', async () => {
    const faulty = await startCli(['--fault', 'GET /hosts:status=503'])
    try {
      const { stdout } = await run('curl', [
        '-s',
        '-w',
        ' %{http_code}',
        '-b',
        `authenticationToken=${faulty.token}`,
        `${faulty.url}/hosts`,
      ])
      expect(stdout).toMatch(/ 503$/)
      expect(JSON.parse(stdout.replace(/ 503$/, ''))).toMatchObject({
        error: 'service unavailable',
      })
    } finally {
      interrupt(faulty.child)
    }
  }, 30_000)

  it('explains a bad option and exits with 2', async () => {
    let err = ''
    const code = await runCli(
      ['sim', '--port', 'eighty'],
      { stdout: () => undefined, stderr: (t) => (err += t) },
      Promise.resolve(),
    )
    expect(code).toBe(2)
    expect(err).toMatch(/--port must be a port number/)
    expect(err).toMatch(/xo-desk sim --help/)
  })

  it('explains a malformed fault', async () => {
    let err = ''
    const code = await runCli(
      ['sim', '--fault', 'drop everything'],
      { stdout: () => undefined, stderr: (t) => (err += t) },
      Promise.resolve(),
    )
    expect(code).toBe(2)
    expect(err).toMatch(/is not a fault/)
  })
})
