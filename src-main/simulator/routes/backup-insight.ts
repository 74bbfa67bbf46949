/**
 * What XO's dashboards compute about backups (xoa.service.mjs, vm.service.mjs): which VMs a job
 * covers, whether it has an enabled schedule, its run logs, repository sizes, and a VM's last
 * runs, archives and replica. Shared by the XOA-wide and VM dashboards (`GET /dashboard`,
 * `GET /vms/{id}/dashboard`).
 */
import type { XoRecord } from '../lab/types'
import type { Simulation } from '../simulation'
import { matchesPattern, vdisOf } from './collections'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const num = (value: unknown): number => (typeof value === 'number' ? value : 0)

/** A replica made by a replication job: its start is blocked and it remembers the job. */
export function isReplicaVm(vm: XoRecord): boolean {
  const blocked = vm['blockedOperations']
  const other = vm['other']
  return (
    isObject(blocked) &&
    'start' in blocked &&
    isObject(other) &&
    other['xo:backup:job'] !== undefined
  )
}

/** `xo:no-bak` (or `xo:no-bak=…`) keeps a VM out of every backup. */
export function hasNoBakTag(vm: XoRecord): boolean {
  return ((vm['tags'] as string[] | undefined) ?? []).some(
    (t) => t.split('=', 1)[0] === 'xo:no-bak',
  )
}

/** `{id: 'x'}` or `{id: {__or: [...]}}` name VMs directly; anything else is a value-matcher query. */
function simplePatternIds(pattern: unknown): string[] | undefined {
  if (!isObject(pattern) || Object.keys(pattern).length !== 1) return undefined
  const id = pattern['id']
  if (typeof id === 'string') return [id]
  if (!isObject(id) || Object.keys(id).length !== 1) return undefined
  const or = id['__or']
  return Array.isArray(or) && or.every((x) => typeof x === 'string') ? (or as string[]) : undefined
}

/** The VM ids a backup job selects, among the given (non-replica) VMs when it is a query. */
export function jobVmIds(job: XoRecord, candidates: readonly XoRecord[]): string[] {
  return (
    simplePatternIds(job['vms']) ??
    candidates.filter((vm) => matchesPattern(job['vms'], vm)).map((vm) => vm.id)
  )
}

export function isVmInJob(job: XoRecord, vm: XoRecord): boolean {
  if (hasNoBakTag(vm)) return false
  const ids = simplePatternIds(job['vms'])
  return ids ? ids.includes(vm.id) : matchesPattern(job['vms'], vm)
}

/** A job runs only if one of the schedules in its settings is enabled (`''` holds defaults). */
export function hasEnabledSchedule(sim: Simulation, job: XoRecord): boolean {
  const settings = isObject(job['settings']) ? job['settings'] : {}
  return Object.keys(settings).some(
    (id) => id !== '' && sim.store.get('schedules', id)?.['enabled'] === true,
  )
}

/** Backup run logs (not restores), oldest first, as getBackupNgLogsSorted gives them. */
export function backupLogsSorted(sim: Simulation): XoRecord[] {
  return [...sim.store.list('backup-logs')]
    .filter((log) => log['message'] === 'backup')
    .sort((a, b) => (a['start'] as number) - (b['start'] as number))
}

export function vmTaskLog(log: XoRecord, vmId: string): XoRecord | undefined {
  const tasks = (log['tasks'] as XoRecord[] | undefined) ?? []
  return tasks.find((task) => isObject(task['data']) && task['data']['id'] === vmId)
}

export function isVmInLog(log: XoRecord, vmId: string): boolean {
  const infos =
    (log['infos'] as { message?: string; data?: { vms?: string[] } }[] | undefined) ?? []
  return infos.find((info) => info.message === 'vms')?.data?.vms?.includes(vmId) ?? false
}

export interface DashboardBackups {
  jobs: Record<'disabled' | 'failed' | 'noRecentRun' | 'skipped' | 'successful' | 'total', number>
  issues: { logs: string[]; name: unknown; type: unknown; uuid: string }[]
  vmsProtection: { protected: number; unprotected: number; notInJob: number }
}

/** XOA dashboard `backups`: job health over the last week and VM protection (last 3 runs). */
export function backupsInfo(sim: Simulation): DashboardBackups | { isEmpty: true } {
  const jobs = [...sim.store.list('backup-jobs')]
  if (jobs.length === 0) return { isEmpty: true }
  const nonReplicaVms = [...sim.store.list('vms')].filter((vm) => !isReplicaVm(vm))
  const protectedIds = new Set<string>()
  const unprotectedIds = new Set<string>()
  const update = (vmId: string, ok: boolean): void => {
    const vm = sim.store.get('vms', vmId)
    if (protectedIds.has(vmId) || !vm || hasNoBakTag(vm)) return
    if (ok) {
      protectedIds.add(vmId)
      unprotectedIds.delete(vmId)
    } else unprotectedIds.add(vmId)
  }
  const markJob = (job: XoRecord, ok: boolean): void => {
    if (job['type'] === 'backup') for (const id of jobVmIds(job, nonReplicaVms)) update(id, ok)
  }
  const logsByJob = new Map<unknown, XoRecord[]>()
  for (const log of backupLogsSorted(sim))
    logsByJob.set(log['jobId'], [...(logsByJob.get(log['jobId']) ?? []), log])
  const weekAgo = new Date(sim.now())
  weekAgo.setDate(weekAgo.getDate() - 7)
  weekAgo.setHours(0, 0, 0, 0)

  const counts = {
    disabled: 0,
    failed: 0,
    noRecentRun: 0,
    skipped: 0,
    successful: 0,
    total: jobs.length,
  }
  const issues: DashboardBackups['issues'] = []
  for (const job of jobs) {
    if (!hasEnabledSchedule(sim, job)) {
      markJob(job, false)
      counts.disabled++
      continue
    }
    const newestFirst = [...(logsByJob.get(job.id) ?? [])]
      .reverse()
      .filter((l) => l['status'] !== 'pending')
    const last3 = newestFirst.slice(0, 3)
    const week = newestFirst.filter((l) => (l['start'] as number) > weekAgo.getTime())
    if (week.length === 0) counts.noRecentRun++
    else if (week.some((l) => l['status'] === 'interrupted' || l['status'] === 'failure'))
      counts.failed++
    else if (week.some((l) => l['status'] === 'skipped')) counts.skipped++
    else counts.successful++
    if (last3.length === 0) {
      markJob(job, false)
      continue
    }
    if (job['type'] === 'backup') {
      // A VM is protected only if its part of each of the last 3 runs succeeded.
      const byVm = new Map<string, boolean[]>()
      const push = (id: string, ok: boolean): void =>
        void byVm.set(id, [...(byVm.get(id) ?? []), ok])
      for (const log of last3) {
        const tasks = log['tasks'] as XoRecord[] | undefined
        if (tasks === undefined)
          for (const id of jobVmIds(job, nonReplicaVms)) push(id, log['status'] === 'success')
        else
          for (const task of tasks) {
            if (isObject(task['data']))
              push(String(task['data']['id']), task['status'] === 'success')
          }
      }
      for (const [id, statuses] of byVm) update(id, statuses.every(Boolean))
    }
    if (last3.some((l) => l['status'] !== 'success')) {
      issues.push({
        logs: last3.map((l) => String(l['status'])),
        name: job['name'],
        type: job['type'],
        uuid: job.id,
      })
    }
  }
  return {
    jobs: counts,
    issues,
    vmsProtection: {
      protected: protectedIds.size,
      unprotected: unprotectedIds.size,
      notInJob: nonReplicaVms.length - protectedIds.size - unprotectedIds.size,
    },
  }
}

/** Bytes of backups a repository holds: the archives listed on it. */
export function backupsOnDisk(sim: Simulation, repositoryId: string): number {
  let total = 0
  for (const archive of sim.store.list('backup-archives')) {
    if (archive['backupRepository'] === repositoryId)
      total += (archive['size'] as number | undefined) ?? 0
  }
  return total
}

function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0) / 2 ** 32
}

/** XOA dashboard `backupRepositories`: S3 only knows its backups; others report their disk too. */
export function backupRepositoriesInfo(sim: Simulation): Record<string, unknown> {
  const repositories = [...sim.store.list('backup-repositories')]
  if (repositories.length === 0) return { isEmpty: true }
  let s3: { size: { backups: number } } | undefined
  let other:
    { size: Record<'backups' | 'available' | 'other' | 'total' | 'used', number> } | undefined
  for (const repository of repositories) {
    if (repository['enabled'] !== true) continue
    const backups = backupsOnDisk(sim, repository.id)
    if (String(repository['url']).startsWith('s3:')) {
      s3 ??= { size: { backups: 0 } }
      s3.size.backups += backups
      continue
    }
    // What `df` reports for the mount: a few TiB, partly used by files other than backups.
    const total = Math.round((4 + 12 * hash(repository.id)) * 2 ** 40)
    const used = Math.min(
      total,
      backups + Math.round(total * (0.02 + 0.1 * hash(`${repository.id}:df`))),
    )
    other ??= { size: { backups: 0, available: 0, other: 0, total: 0, used: 0 } }
    other.size.backups += backups
    other.size.available += total - used
    other.size.used += used
    other.size.other += used - backups
    other.size.total += total
  }
  if (!s3 && !other) return { isEmpty: true }
  return { ...(s3 ? { s3 } : {}), ...(other ? { other } : {}) }
}

// ---- For the VM dashboard (vm.service.mjs) ----------------------------------------------------

/** `20250101T010203Z` (XO's xo:backup:datetime) → seconds. */
function parseDateTime(text: unknown): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(text))
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000 : NaN
}

/** The latest replica of this VM (a snapshot tagged `xo:backup:vm`) and the SR its disks are on. */
export function lastReplication(sim: Simulation, vm: XoRecord): Record<string, unknown> {
  let last: { time: number; replicaId: string } | undefined
  for (const snap of sim.store.list('vm-snapshots')) {
    const other = (snap['other'] as Record<string, string> | undefined) ?? {}
    if (other['xo:backup:vm'] !== vm.id || snap['$snapshot_of'] === vm.id) continue
    const time = parseDateTime(other['xo:backup:datetime'])
    if (last === undefined || last.time < time)
      last = { time, replicaId: String(snap['$snapshot_of']) }
  }
  const replica = last && sim.store.get('vms', last.replicaId)
  if (!last || !replica) return {}
  const srs = new Set(vdisOf(sim, replica).map((d) => d.record['$SR']))
  return {
    id: replica.id,
    timestamp: last.time * 1000,
    sr: srs.size === 1 ? [...srs][0] : undefined,
  }
}

export function vmBackups(sim: Simulation, vm: XoRecord) {
  const jobs = [...sim.store.list('backup-jobs')].filter(
    (j) => j['type'] === 'backup' && isVmInJob(j, vm),
  )
  const jobIds = new Set(jobs.map((j) => j.id))
  const logs = backupLogsSorted(sim).filter(
    (l) => jobIds.has(String(l['jobId'])) && isVmInLog(l, vm.id),
  )
  const lastRuns = logs
    .slice(-3)
    .reverse()
    .map((log) => ({
      backupJobId: log['jobId'],
      timestamp: log['end'],
      status: log['status'] === 'success' ? 'success' : vmTaskLog(log, vm.id)?.['status'],
    }))
  let vmProtection = 'not-in-active-job'
  if (!hasNoBakTag(vm)) {
    for (const job of jobs.filter((j) => hasEnabledSchedule(sim, j))) {
      if (vmProtection === 'protected') break
      const ofJob = logs.filter((l) => l['jobId'] === job.id)
      const ok = (l: XoRecord): boolean =>
        l['status'] === 'success' || vmTaskLog(l, vm.id)?.['status'] === 'success'
      // A job that never ran for this VM leaves it unprotected; otherwise its last 3 finished runs decide.
      const recent = ofJob.filter((l) => l['status'] !== 'pending').slice(-3)
      vmProtection = ofJob.length > 0 && recent.every(ok) ? 'protected' : 'unprotected'
    }
  }
  return { lastRuns, vmProtection }
}

/** The 3 newest archives of this VM on enabled repositories. */
export function lastArchives(sim: Simulation, vm: XoRecord) {
  return [...sim.store.list('backup-archives')]
    .filter((a) => {
      const repository = sim.store.get('backup-repositories', String(a['backupRepository']))
      return (
        repository?.['enabled'] === true &&
        (a['vm'] as { uuid?: string } | undefined)?.uuid === vm['uuid']
      )
    })
    .sort((a, b) => num(b['timestamp']) - num(a['timestamp']))
    .slice(0, 3)
    .map((a) => ({
      id: a.id,
      timestamp: a['timestamp'],
      backupRepository: a['backupRepository'],
      size: a['size'],
    }))
}
