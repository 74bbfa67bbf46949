import { describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { Bandwidth } from './bandwidth'
import { TransferQueue, type JobContext, type TransferJob } from './transfer-queue'

/** A job that runs until the test says how it ends; `started` is its first run. */
function controlledJob(name: string) {
  let finish: (ok: boolean) => void = () => undefined
  let begun: (ctx: JobContext) => void = () => undefined
  const started = new Promise<JobContext>((resolve) => (begun = resolve))
  const job: TransferJob = {
    describe: {
      direction: 'export',
      instance: { id: 'i', name: 'Lab' },
      object: { collection: 'vms', id: name, name },
      format: 'xva',
    },
    run: (ctx) =>
      new Promise((done, fail) => {
        ctx.signal.addEventListener('abort', () => fail(new Error('aborted')))
        finish = (ok) =>
          ok
            ? done({ sha256: 'ab'.repeat(32) })
            : fail(new AppFailure('xo-failed', `${name} broke.`, 'Try again.', true))
        begun(ctx)
      }),
  }
  return { job, started, finish: (ok: boolean) => finish(ok) }
}

const quiet = () => undefined

describe('TransferQueue', () => {
  it('runs at most `parallel` transfers; the next starts when one ends', async () => {
    const queue = new TransferQueue({ publish: quiet, log: quiet, settings: { parallel: 1 } })
    const a = controlledJob('a')
    const b = controlledJob('b')
    const first = queue.add(a.job)
    const second = queue.add(b.job)
    await a.started
    expect(queue.get(first.id)?.state).toBe('running')
    expect(queue.get(second.id)?.state).toBe('queued')
    a.finish(true)
    await b.started
    expect(queue.get(first.id)?.state).toBe('done')
    expect(queue.get(first.id)?.sha256).toBe('ab'.repeat(32))
    expect(queue.get(second.id)?.state).toBe('running')
    b.finish(true)
    await queue.settled(second.id)
  })

  it('more slots start queued transfers at once', async () => {
    const queue = new TransferQueue({ publish: quiet, log: quiet, settings: { parallel: 1 } })
    const a = controlledJob('a')
    const b = controlledJob('b')
    queue.add(a.job)
    const second = queue.add(b.job)
    await a.started
    queue.configure({ parallel: 2 })
    await b.started
    expect(queue.get(second.id)?.state).toBe('running')
    a.finish(true)
    b.finish(true)
    await queue.settled(second.id)
  })

  it('a cancel aborts a running transfer and ends it cancelled, with what to do', async () => {
    const queue = new TransferQueue({ publish: quiet, log: quiet })
    const a = controlledJob('a')
    const view = queue.add(a.job)
    const ctx = await a.started
    queue.cancel(view.id)
    const ended = await queue.settled(view.id)
    expect(ctx.signal.aborted).toBe(true)
    expect(ended?.state).toBe('cancelled')
    expect(ended?.error?.action).toMatch(/again/)
  })

  it('a failed transfer keeps its readable error, and a retry runs it again under the same id', async () => {
    const seen: string[] = []
    const queue = new TransferQueue({ publish: (v) => seen.push(v.state), log: quiet })
    const a = controlledJob('a')
    const view = queue.add(a.job)
    await a.started
    a.finish(false)
    const failed = await queue.settled(view.id)
    expect(failed?.state).toBe('failed')
    expect(failed?.error?.message).toBe('a broke.')
    queue.retry(view.id)
    await new Promise((r) => setTimeout(r, 0))
    expect(queue.get(view.id)?.state).toBe('running')
    expect(queue.get(view.id)?.error).toBeUndefined()
    a.finish(true)
    expect((await queue.settled(view.id))?.state).toBe('done')
    expect(seen).toEqual(['queued', 'running', 'failed', 'queued', 'running', 'done'])
  })

  it('the totals give the taskbar a fraction only when every running size is known', async () => {
    const queue = new TransferQueue({ publish: quiet, log: quiet })
    const a = controlledJob('a')
    const b = controlledJob('b')
    queue.add(a.job)
    queue.add(b.job)
    const [ca, cb] = await Promise.all([a.started, b.started])
    ca.progress({ bytes: 30, total: 100, rate: 1, attempt: 1 })
    cb.progress({ bytes: 10, total: 100, rate: 1, attempt: 1 })
    expect(queue.totals()).toEqual({ running: 2, queued: 0, fraction: 0.2 })
    cb.progress({ bytes: 10, rate: 1, attempt: 1 })
    expect(queue.totals()).toEqual({ running: 2, queued: 0 })
    await queue.dispose()
  })
})

describe('Bandwidth', () => {
  it('without a limit never holds a chunk; with one, holds what exceeds it', () => {
    const open = new Bandwidth()
    expect(open.take(1e9)).toBe(0)
    const limited = new Bandwidth(1_000_000)
    // A second's worth at once must wait about a second.
    const wait = limited.take(1_000_000)
    expect(wait).toBeGreaterThan(700)
    expect(wait).toBeLessThanOrEqual(1000)
  })
})
