// `xo-desk audit` reads the very file the app writes, in the config folder.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditEntry } from '@contract'
import { AuditLog } from '../../audit/audit-log'
import { createAppCore } from '../../app-core'
import { MemorySecretStore } from '../../vault/keychain'
import { auditCommand } from './audit'
import { TEST_CORE } from '../../test-support/test-core'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-cli-audit-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

async function audit(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await auditCommand(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { XO_DESK_CONFIG_DIR: dir },
  })
  return { code, stdout, stderr }
}

async function record(instance: string, vm: string): Promise<void> {
  await new AuditLog(dir).record({
    instance: { id: instance.toLowerCase(), name: instance },
    object: { collection: 'vms', id: `${vm}-id`, name: vm },
    action: 'vms.start',
    outcome: 'succeeded',
  })
}

describe('xo-desk audit', () => {
  it('shows what the app recorded in its config folder', async () => {
    const core = createAppCore({
      ...TEST_CORE,
      log: () => undefined,
      storage: { configDir: dir, secrets: new MemorySecretStore() },
    })
    try {
      await core.dispatch(
        'instances.remove',
        { instanceId: 'nothing-here' },
        AbortSignal.timeout(5_000),
      )
    } finally {
      await core.dispose()
    }
    const res = await audit('--json')
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject([
      { action: 'instances.remove', outcome: 'failed', error: { code: 'not-found' } },
    ])
  })

  it('lists newest first, one line each, for one instance and within a limit', async () => {
    await record('Production', 'web-01')
    await record('Production', 'web-02')
    await record('Lab', 'lab-01')
    const all = await audit()
    expect(all.stdout.trim().split('\n')).toHaveLength(3)
    expect(all.stdout.split('\n')[0]).toMatch(/\tLab\tvms\.start\tlab-01\tsucceeded$/)
    const prod = await audit('--instance', 'production', '--limit', '1', '--json')
    expect((JSON.parse(prod.stdout) as AuditEntry[]).map((e) => e.object.name)).toEqual(['web-02'])
  })

  it('writes CSV a spreadsheet opens without running a formula', async () => {
    await record('Lab', '=HYPERLINK("http://x")')
    const res = await audit('--csv')
    expect(res.stdout.split('\r\n')[1]).toContain(`"'=HYPERLINK(""http://x"")"`)
  })

  it('says so when nothing was recorded yet', async () => {
    expect(await audit()).toMatchObject({ code: 0, stdout: 'Nothing recorded yet.\n' })
  })

  it('explains a limit that is not a number, with exit code 2', async () => {
    const res = await audit('--limit', 'ten')
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('--limit "ten"')
  })
})
