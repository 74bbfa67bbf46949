import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditEntry } from '@contract'
import { AUDIT_FILE, AuditLog, csvField, toCsv, type AuditRecord } from './audit-log'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-audit-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const start = (n: number, instance = 'lab'): AuditRecord => ({
  instance: { id: instance, name: instance.toUpperCase() },
  object: { collection: 'vms', id: `vm-${n}`, name: `web-${n}` },
  action: 'vms.start',
  outcome: 'succeeded',
})

describe('the audit log file', () => {
  it('lists what was recorded, newest first, for one instance when asked', async () => {
    const audit = new AuditLog(dir)
    await audit.record(start(1))
    await audit.record(start(2, 'prod'))
    await audit.record(start(3))
    const all = await audit.list()
    expect(all.map((e) => e.object.id)).toEqual(['vm-3', 'vm-2', 'vm-1'])
    expect(all[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect((await audit.list({ instanceId: 'lab', limit: 1 })).map((e) => e.object.id)).toEqual([
      'vm-3',
    ])
    expect((await audit.list({ instanceName: 'prod' })).map((e) => e.object.id)).toEqual(['vm-2'])
  })

  it('is readable by its owner only', async () => {
    const audit = new AuditLog(dir)
    await audit.record(start(1))
    expect((await stat(audit.path)).mode & 0o777).toBe(0o600)
  })

  it('keeps 200 entries recorded at once, each on a whole line', async () => {
    const audit = new AuditLog(dir)
    await Promise.all(Array.from({ length: 200 }, (_, n) => audit.record(start(n))))
    const lines = (await readFile(audit.path, 'utf8')).split('\n')
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(200)
    const ids = lines.map((l) => (JSON.parse(l) as AuditEntry).object.id)
    expect(new Set(ids).size).toBe(200)
    expect(await audit.list({ limit: 1_000 })).toHaveLength(200)
  })

  it('skips a last line torn by a crash, and the next entry still lands whole', async () => {
    const audit = new AuditLog(dir)
    await audit.record(start(1))
    await appendFile(join(dir, AUDIT_FILE), '{"time":"2025-01-01T00:00:00.000Z","instan')
    expect((await audit.list()).map((e) => e.object.id)).toEqual(['vm-1'])
    // A new process appends after the torn line.
    const next = new AuditLog(dir)
    await next.record(start(2))
    expect((await next.list()).map((e) => e.object.id)).toEqual(['vm-2', 'vm-1'])
  })

  it('is empty before anything was recorded', async () => {
    expect(await new AuditLog(join(dir, 'not-yet')).list()).toEqual([])
  })

  it('exports everything as JSON, oldest first, with a dated file name', async () => {
    const audit = new AuditLog(dir)
    await audit.record(start(1))
    await audit.record(start(2))
    const { fileName, text } = await audit.export('json')
    expect(fileName).toMatch(/^xo-desk-audit-\d{4}-\d\d-\d\d\.json$/)
    expect((JSON.parse(text) as AuditEntry[]).map((e) => e.object.id)).toEqual(['vm-1', 'vm-2'])
  })

  it('ignores a line that is not an audit entry (edited by hand)', async () => {
    await writeFile(join(dir, AUDIT_FILE), '{"hello":"world"}\n[1,2]\n')
    const audit = new AuditLog(dir)
    await audit.record(start(1))
    expect(await audit.list()).toHaveLength(1)
  })
})

describe('the CSV export', () => {
  it('quotes a field with a comma, quote or line break and doubles its quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\rlf')).toBe('"cr\rlf"')
  })

  it('keeps a spreadsheet from running a VM name as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`)
    expect(csvField('+1')).toBe("'+1")
    expect(csvField('-2+3')).toBe("'-2+3")
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvField('web=01')).toBe('web=01')
  })

  it('has a header and one CRLF-ended record per entry', () => {
    const entry: AuditEntry = {
      time: '2025-01-02T03:04:05.000Z',
      instance: { id: 'demo', name: 'Demo lab' },
      object: { collection: 'vms', id: 'v1', name: '=cmd|calc' },
      action: 'vms.start',
      outcome: 'failed',
      error: { code: 'xo-failed', message: 'Could not start web, really' },
      taskId: 't1',
    }
    expect(toCsv([entry])).toBe(
      'time,instance,instance id,collection,object id,object,action,outcome,error code,error,task id\r\n' +
        `2025-01-02T03:04:05.000Z,Demo lab,demo,vms,v1,'=cmd|calc,vms.start,failed,xo-failed,"Could not start web, really",t1\r\n`,
    )
  })
})
