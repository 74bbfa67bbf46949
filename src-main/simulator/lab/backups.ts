/**
 * Backups as XO keeps them (shaped as @xen-orchestra/rest-api 0.39.0,
 * dist/open-api/oa-examples/backup-*.oa-example.mjs): repositories ("remotes"), jobs of every kind
 * with their schedules, run logs (ids are ms timestamps), the archives those runs left on the
 * repositories (ids contain `/`), and restore logs.
 */
import { DAY_MS, HOUR_MS, MiB, type LabContext } from './common'
import type { PoolModel } from './infrastructure'
import type { Random } from './random'
import type { XoRecord } from './types'
import type { GuestModel } from './vms'

interface JobRun {
  start: number
  status: 'success' | 'failure' | 'interrupted'
}

const TIMEZONE = 'Europe/Paris'
/** Stack frames for serialized errors: where XO's backup code would throw. */
const BACKUP_STACK = '\n    at Xapi._call (/opt/xo/xo-server/node_modules/xen-api/index.mjs:693:15)'

/** `20261031T010203Z`, the timestamp in backup file names. */
function fileStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function xapiFailure(code: string, params: string[]): Record<string, unknown> {
  const message = `${code}(${params.join(', ')})`
  return { code, params, message, name: 'XapiError', stack: `XapiError: ${message}${BACKUP_STACK}` }
}

/** Ids of backup and restore logs share one space: the run's start in ms. */
class LogIds {
  readonly #used = new Set<number>()
  claim(ms: number): number {
    let at = ms
    while (this.#used.has(at)) at++
    this.#used.add(at)
    return at
  }
}

/** What a successful export left on a repository: the backup's metadata file and its disks. */
function archive(
  guest: GuestModel,
  job: XoRecord,
  scheduleId: string,
  repository: XoRecord,
  mode: 'full' | 'delta',
  timestamp: number,
  size: number,
  differencing: boolean,
): XoRecord {
  const vm = guest.record
  const stamp = fileStamp(timestamp)
  return {
    type: 'xo-vm-backup',
    backupRepository: repository.id,
    // Full backups are one XVA file: no per-disk VHDs.
    disks:
      mode === 'full'
        ? []
        : guest.disks.map(({ vdi }) => ({
            id: `/xo-vm-backups/${vm.uuid as string}/vdis/${job.id}/${vdi.uuid as string}/${stamp}.vhd`,
            name: vdi.name_label,
            uuid: vdi.uuid,
          })),
    id: `${repository.id}/xo-vm-backups/${vm.uuid as string}/${stamp}.json`,
    jobId: job.id,
    mode,
    scheduleId,
    size,
    timestamp,
    vm: {
      uuid: vm.uuid,
      name_description: vm.name_description,
      name_label: vm.name_label,
      tags: [...vm.tags],
    },
    differencingVhds: differencing && mode === 'delta' ? guest.disks.length : 0,
    dynamicVhds: mode === 'delta' ? guest.disks.length : 0,
    withMemory: false,
    isImmutable: false,
  }
}

export interface BackupSet {
  schedules: XoRecord[]
  jobs: XoRecord[]
}

export function buildBackups(
  ctx: LabContext,
  pools: readonly PoolModel[],
  guests: readonly GuestModel[],
  adminId: string,
  proxyId: string,
): BackupSet {
  const random = ctx.random('backups')
  const ids = new LogIds()
  const c = ctx.collections
  const today = Math.floor(ctx.now / DAY_MS) * DAY_MS

  const nas: XoRecord = {
    enabled: true,
    name: 'NAS backups',
    url: 'nfs://10.10.1.50:/mnt/tank/xo-backups',
    benchmarks: [
      {
        readRate: 412_000_000 + random.int(0, 9e6),
        writeRate: 298_000_000 + random.int(0, 9e6),
        timestamp: ctx.now - 12 * DAY_MS,
      },
    ],
    id: random.uuid(),
  }
  const s3: XoRecord = {
    enabled: true,
    name: 'S3 offsite',
    // XO obfuscates the secret part of repository URLs.
    url: 's3://LABEXAMPLEKEY00001:obfuscated-Wq3ZQ9T7vK2m@s3.eu-central-2.wasabisys.com/xo-lab-backups/xo?useVhdDirectory=true',
    proxy: proxyId,
    benchmarks: [
      {
        readRate: 61_000_000 + random.int(0, 4e6),
        writeRate: 38_000_000 + random.int(0, 4e6),
        timestamp: ctx.now - 40 * DAY_MS,
      },
    ],
    id: random.uuid(),
  }
  const usb: XoRecord = {
    enabled: false,
    name: 'Old USB disk',
    url: 'file:///mnt/usb-backups',
    error: {
      message: "ENOENT: no such file or directory, open '/mnt/usb-backups/.nfs-test'",
      code: 'ENOENT',
    },
    id: random.uuid(),
  }
  c['backup-repositories'].push(nas, s3, usb)

  const schedule = (jobId: string, name: string, cron: string, enabled = true): XoRecord => {
    const record: XoRecord = {
      cron,
      enabled,
      jobId,
      name,
      timezone: TIMEZONE,
      userId: adminId,
      id: random.uuid(),
    }
    c.schedules.push(record)
    return record
  }
  const idList = (list: readonly string[]): { id: { __or: string[] } } => ({
    id: { __or: [...list] },
  })

  // VM jobs back up explicit VM lists (`{id: {__or: [...]}}`), ≤ 10 VMs each.
  const withBackupTag = guests.filter((g) => g.record.tags.includes('backup'))
  const [production, , branch] = pools
  const lastPool = pools[pools.length - 1]
  const nightlyVms = withBackupTag
    .filter((g) => g.pool === production && g.env === 'prod')
    .slice(0, 10)
  const weeklyVms = withBackupTag
    .filter((g) => g.pool === (branch ?? lastPool) && g.pool !== production)
    .slice(0, 8)
  const replicaVms = guests
    .filter((g) => g.pool === production && g.role.prefix === 'db')
    .slice(0, 4)
  const replicaTarget = (pools[1] ?? production)?.defaultSr

  const jobs: XoRecord[] = []
  const vmJob = (
    name: string,
    mode: 'full' | 'delta',
    vms: readonly GuestModel[],
    target: { remote?: XoRecord; srId?: string },
    schedules: [string, string, Record<string, unknown>, boolean?][],
    extra: Record<string, unknown> = {},
  ): { job: XoRecord; schedules: XoRecord[] } => {
    const id = random.uuid()
    const created = schedules.map(([label, cron, , enabled]) =>
      schedule(id, label, cron, enabled ?? true),
    )
    const settings: Record<string, unknown> = {
      '': {
        reportWhen: 'failure',
        concurrency: 2,
        nRetriesVmBackupFailures: 1,
        timezone: TIMEZONE,
      },
    }
    created.forEach((s, i) => (settings[s.id] = schedules[i]?.[2] ?? {}))
    const job: XoRecord = {
      name,
      mode,
      compression: mode === 'full' ? 'zstd' : '',
      settings,
      vms: idList(vms.map((g) => g.record.id)),
      type: 'backup',
      remotes: idList(target.remote ? [target.remote.id as string] : []),
      srs: idList(target.srId ? [target.srId] : []),
      ...extra,
      id,
    }
    jobs.push(job)
    return { job, schedules: created }
  }

  const nightly = vmJob('Nightly delta – Production', 'delta', nightlyVms, { remote: nas }, [
    ['Nightly', '0 1 * * *', { exportRetention: 7, snapshotRetention: 1 }],
    ['Monthly archive', '0 4 1 * *', { exportRetention: 12 }, false],
  ])
  const weekly = vmJob(
    'Weekly full – Branch',
    'full',
    weeklyVms,
    { remote: s3 },
    [['Sunday night', '0 3 * * 0', { exportRetention: 4 }]],
    { proxy: proxyId },
  )
  const replication = vmJob(
    'DR replication – databases',
    'delta',
    replicaVms,
    { srId: replicaTarget?.id },
    [['Every 4 hours', '0 */4 * * *', { copyRetention: 3 }]],
  )

  const metadataId = random.uuid()
  const metadataSchedule = schedule(metadataId, 'Daily', '0 2 * * *')
  jobs.push({
    name: 'XO config and pool metadata',
    remotes: idList([nas.id]),
    pools: idList(pools.map((p) => p.record.id)),
    settings: {
      '': { reportWhen: 'failure' },
      [metadataSchedule.id]: { retentionXoMetadata: 7, retentionPoolMetadata: 7 },
    },
    xoMetadata: true,
    userId: adminId,
    type: 'metadataBackup',
    id: metadataId,
  })
  const mirrorId = random.uuid()
  const mirrorSchedule = schedule(mirrorId, 'After nightly', '0 6 * * *')
  jobs.push({
    name: 'Mirror NAS to S3',
    mode: 'delta',
    sourceRemote: nas.id,
    remotes: idList([s3.id]),
    settings: {
      '': { reportWhen: 'failure', backupReportTpl: 'compactMjml', concurrency: 1 },
      [mirrorSchedule.id]: { exportRetention: 14 },
    },
    type: 'mirrorBackup',
    proxy: proxyId,
    id: mirrorId,
  })
  c['backup-jobs'].push(...jobs)

  // Run history, oldest first; one failed and one interrupted run to show those states.
  const runs = (
    count: number,
    every: number,
    hour: number,
    failAt = -1,
    interruptAt = -1,
  ): JobRun[] =>
    Array.from({ length: count }, (_, i) => {
      const age = count - i
      const status = age === failAt ? 'failure' : age === interruptAt ? 'interrupted' : 'success'
      return { start: today - age * every + hour * HOUR_MS + random.int(0, 4000), status }
    })

  const vmRuns = (
    job: XoRecord,
    scheduleId: string,
    guestsOfJob: readonly GuestModel[],
    target: { remote?: XoRecord; srId?: string },
    history: JobRun[],
    retention: number,
  ): void => {
    const mode = job.mode as 'full' | 'delta'
    history.forEach((run, runIndex) => {
      const start = ids.claim(run.start)
      let t = start + random.int(300, 900)
      const failing =
        run.status === 'failure' ? random.int(0, Math.max(0, guestsOfJob.length - 1)) : -1
      const tasks = guestsOfJob.map((guest, i) => {
        const vmStart = t
        const snapshotEnd = vmStart + random.int(800, 4000)
        const size =
          guest.disks.reduce((sum, d) => sum + d.vdi.usage, 0) *
          (mode === 'delta' && runIndex > 0 ? random.between(0.02, 0.1) : 1)
        const transferMs = Math.max(2000, Math.round(size / (150 * MiB)) * 1000)
        const exportEnd = snapshotEnd + transferMs + random.int(50, 400)
        const failed = i === failing
        const interrupted = run.status === 'interrupted' && i === guestsOfJob.length - 1
        const end = exportEnd + random.int(20, 400)
        t = end + random.int(100, 2000)
        const isFull = mode === 'full' || runIndex === 0
        const exportTask: XoRecord = {
          id: String(snapshotEnd + 1),
          message: 'export',
          start: snapshotEnd + 1,
          status: failed ? 'failure' : interrupted ? 'pending' : 'success',
          data: target.remote
            ? { id: target.remote.id, type: 'remote', isFull }
            : { id: target.srId, type: 'SR', isFull },
          properties: {},
          tasks: [
            {
              id: String(snapshotEnd + 30),
              message: 'transfer',
              start: snapshotEnd + 30,
              status: failed ? 'failure' : interrupted ? 'pending' : 'success',
              properties: {},
              ...(failed
                ? { end: exportEnd, result: xapiFailure('VDI_IO_ERROR', ['Device I/O errors']) }
                : interrupted
                  ? {}
                  : { end: exportEnd - 10, result: { size: Math.round(size) } }),
            },
          ],
          ...(interrupted ? {} : { end: exportEnd }),
        }
        if (!failed && !interrupted && target.remote && runIndex >= history.length - retention) {
          c['backup-archives'].push(
            archive(
              guest,
              job,
              scheduleId,
              target.remote,
              mode,
              snapshotEnd + 1,
              Math.round(size),
              runIndex > 0,
            ),
          )
        }
        return {
          id: String(vmStart),
          message: 'backup VM',
          start: vmStart,
          status: failed ? 'failure' : interrupted ? 'interrupted' : 'success',
          data: { type: 'VM', id: guest.record.id, name_label: guest.record.name_label },
          // The spec's task schema requires `properties`; XO's backup log tasks carry none.
          properties: {},
          tasks: [
            {
              id: String(vmStart + 5),
              message: 'snapshot',
              start: vmStart + 5,
              status: 'success',
              end: snapshotEnd,
              properties: {},
            },
            exportTask,
          ],
          ...(interrupted ? {} : { end }),
          ...(failed ? { result: xapiFailure('VDI_IO_ERROR', ['Device I/O errors']) } : {}),
        }
      })
      const log: XoRecord = {
        data: { mode, reportWhen: 'failure' },
        id: String(start),
        jobId: job.id,
        jobName: job.name,
        message: 'backup',
        scheduleId,
        start,
        status: run.status,
        infos: [{ data: { vms: guestsOfJob.map((g) => g.record.id) }, message: 'vms' }],
        tasks,
      }
      if (run.status !== 'interrupted') log.end = t
      c['backup-logs'].push(log)
    })
  }

  const firstSchedule = (set: { schedules: XoRecord[] }): string => set.schedules[0]?.id ?? ''
  vmRuns(nightly.job, firstSchedule(nightly), nightlyVms, { remote: nas }, runs(7, DAY_MS, 1, 3), 7)
  vmRuns(
    weekly.job,
    firstSchedule(weekly),
    weeklyVms,
    { remote: s3 },
    runs(4, 7 * DAY_MS, 3, -1, 2),
    4,
  )
  vmRuns(
    replication.job,
    firstSchedule(replication),
    replicaVms,
    { srId: replicaTarget?.id },
    runs(6, 4 * HOUR_MS, 0),
    0,
  )
  for (const run of runs(7, DAY_MS, 2)) {
    const start = ids.claim(run.start)
    c['backup-logs'].push({
      data: { reportWhen: 'failure' },
      id: String(start),
      jobId: metadataId,
      jobName: 'XO config and pool metadata',
      message: 'backup',
      scheduleId: metadataSchedule.id,
      start,
      status: 'success',
      tasks: [
        {
          id: String(start + 12),
          message: 'backup XO',
          start: start + 12,
          status: 'success',
          end: start + 2400,
          data: { type: 'xo' },
          properties: {},
        },
      ],
      end: start + 2600,
    })
  }
  for (const run of runs(7, DAY_MS, 6)) {
    const start = ids.claim(run.start)
    c['backup-logs'].push({
      data: { reportWhen: 'failure' },
      id: String(start),
      jobId: mirrorId,
      jobName: 'Mirror NAS to S3',
      message: 'backup',
      scheduleId: mirrorSchedule.id,
      start,
      status: 'success',
      end: start + random.int(60_000, 900_000),
    })
  }
  c['backup-logs'].sort((a, b) => (a.start as number) - (b.start as number))
  restoreLogs(ctx, random, ids, pools)
  return { schedules: c.schedules, jobs }
}

function restoreLogs(
  ctx: LabContext,
  random: Random,
  ids: LogIds,
  pools: readonly PoolModel[],
): void {
  const archives = ctx.collections['backup-archives']
  const latest = archives[archives.length - 1]
  const oldest = archives[0]
  const outcomes: [XoRecord | undefined, PoolModel | undefined, boolean][] = [
    [oldest, pools[0], true],
    [latest, pools[pools.length - 1], false],
  ]
  outcomes.forEach(([archive, pool, succeeded], i) => {
    if (!archive || !pool) return
    // Restored a few hours after the backup was made, never in the future.
    const made = archive.timestamp as number
    const start = ids.claim(
      Math.min(ctx.now - HOUR_MS, made + random.int(2, 30 + i * 20) * HOUR_MS),
    )
    const end = start + random.int(60_000, 600_000)
    // The restored copy was deleted after the test restore, so its id points nowhere.
    const result = succeeded
      ? { size: archive.size, id: random.uuid() }
      : xapiFailure('SR_BACKEND_FAILURE_44', ['', 'There is insufficient space', ''])
    ctx.collections['restore-logs'].push({
      data: {
        backupId: archive.id,
        jobId: archive.jobId,
        srId: pool.defaultSr.id,
        time: archive.timestamp,
      },
      id: String(start),
      message: 'restore',
      start,
      status: succeeded ? 'success' : 'failure',
      tasks: [
        {
          id: String(start + 40),
          message: 'transfer',
          start: start + 40,
          status: succeeded ? 'success' : 'failure',
          end: end - 5,
          result,
        },
      ],
      end,
      result,
    })
  })
}
