import { describe, expect, it } from 'vitest'
import { version } from '../../package.json'
import { runCli } from './run'

async function run(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) })
  return { code, stdout, stderr }
}

describe('xo-desk command', () => {
  it('prints its version', async () => {
    expect(await run('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it('explains an unknown command and how to list the commands, with exit code 2', async () => {
    const res = await run('frobnicate')
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/unknown command "frobnicate"/)
    expect(res.stderr).toMatch(/xo-desk help/)
  })
})
