/**
 * Backup routes that need more than the generic collection handlers
 * (docs/xo-rest-api.md#quirks-of-0390): the deprecated `/backup/jobs/…`, `/backup/logs`,
 * `/restore/logs` aliases, and `/backup-archives` with its `backup-repository` selector. Their
 * paths do not start with a collection name, so the pipeline resolves no target for the aliases:
 * records are looked up here, with XO's errors.
 */
import { Readable } from 'node:stream'
import { targetRecord, type Reply, type RequestContext } from '../http/context'
import { xoError } from '../http/xo-errors'
import type { XoRecord } from '../lab/types'
import type { Simulation } from '../simulation'
import { collectionReply } from './collections'
import type { HandlerTable } from './table'

type JobType = 'backup' | 'metadataBackup' | 'mirrorBackup'

const jobsOfType = (sim: Simulation, type: JobType): XoRecord[] =>
  [...sim.store.list('backup-jobs')].filter((job) => job['type'] === type)

/** getBackupNgLogsSorted: run logs by start time. */
function logsSorted(sim: Simulation, collection: 'backup-logs' | 'restore-logs'): XoRecord[] {
  return [...sim.store.list(collection)].sort(
    (a, b) => (a['start'] as number) - (b['start'] as number),
  )
}

/** xo-server's getJob, then the deprecated controller's checks, each with its own 404. */
function jobOfType(ctx: RequestContext, type: JobType): XoRecord {
  const id = ctx.params['id'] ?? ''
  const job = ctx.sim.store.get('backup-jobs', id)
  if (!job) throw xoError.noSuchObject(id, 'job')
  if (job['type'] !== type) throw xoError.noSuchObject(id, type)
  return job
}

/**
 * XO's getBackupNgLogs(id) returns undefined for an unknown id and the controller then reads
 * `.message` on it: a plain 500. A log of the other kind is `noSuchObject('<kind>')`, which puts
 * the kind where the id goes ("no such object backup-log", data `{id: "backup-log"}`).
 */
function logOfKind(ctx: RequestContext, kind: 'backup-log' | 'restore-log'): XoRecord {
  const id = ctx.params['id'] ?? ''
  const own = kind === 'backup-log' ? 'backup-logs' : 'restore-logs'
  const other = kind === 'backup-log' ? 'restore-logs' : 'backup-logs'
  const log = ctx.sim.store.get(own, id)
  if (log) return log
  if (ctx.sim.store.get(other, id)) {
    throw xoError.api(404, `no such object ${kind}`, { id: kind })
  }
  throw xoError.plain("Cannot read properties of undefined (reading 'message')")
}

/**
 * XO registers the hidden `GET /backup/jobs/:id` (a 308 to `/backup/jobs/vm/:id`) before
 * `/backup/jobs/metadata` and `/backup/jobs/mirror`, so Express never reaches those two lists:
 * they redirect to a VM job named "metadata" or "mirror". That route has no ACL: admins only.
 */
function shadowedByRedirect(name: string) {
  return (ctx: RequestContext): Reply => {
    if (ctx.caller.permission !== 'admin') throw xoError.notEnoughPermissions()
    const location = `/rest/v0/backup/jobs/vm/${name}`
    const text = `Permanent Redirect. Redirecting to ${location}`
    return {
      status: 308,
      stream: Readable.from([text]),
      headers: {
        Location: location,
        Vary: 'Accept',
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(text)),
      },
    }
  }
}

/** Repository ids from the repeated `backup-repository` parameter; `*` means all of them. */
function selectedRepositories(ctx: RequestContext): XoRecord[] {
  // tsoa reads the array from every occurrence of the parameter (a single one is a 1-item array).
  const wanted = new URL(ctx.req.url ?? '/', 'http://simulator').searchParams.getAll(
    'backup-repository',
  )
  const all = [...ctx.sim.store.list('backup-repositories')]
  if (wanted.includes('*')) return all
  const out = new Map<string, XoRecord>()
  for (const id of wanted) {
    // xoApp.getRemote: an unknown repository is xo-server's "no such remote".
    const repository = ctx.sim.store.get('backup-repositories', id)
    if (!repository) throw xoError.noSuchObject(id, 'remote')
    out.set(repository.id, repository)
  }
  return [...out.values()]
}

/** XO cannot list a disabled repository (listVmBackupsNg skips it): its archives are not found. */
function archivesOn(sim: Simulation, repository: XoRecord): XoRecord[] {
  if (repository['enabled'] !== true) return []
  return [...sim.store.list('backup-archives')].filter(
    (a) => a['backupRepository'] === repository.id,
  )
}

const ARCHIVE_ID =
  /^([0-9a-fA-F-]{36})\/+xo-vm-backups\/+([0-9a-fA-F-]{36})\/+(\d{8}T\d{6}Z)\.json$/

export function registerBackupCompat(table: HandlerTable): void {
  // Deprecated aliases, removal announced for 2026-09-12; no Deprecation header
  // (@xen-orchestra/rest-api 0.39.0, dist/backup-jobs/backup-job.controller.mjs).
  table.on('GET', '/backup/jobs/vm', (ctx) =>
    collectionReply(ctx, 'backup-jobs', jobsOfType(ctx.sim, 'backup')),
  )
  table.on('GET', '/backup/jobs/metadata', shadowedByRedirect('metadata'))
  table.on('GET', '/backup/jobs/mirror', shadowedByRedirect('mirror'))
  table.on('GET', '/backup/jobs/vm/{id}', (ctx) => ({
    status: 200,
    json: jobOfType(ctx, 'backup'),
  }))
  table.on('GET', '/backup/jobs/metadata/{id}', (ctx) => ({
    status: 200,
    json: jobOfType(ctx, 'metadataBackup'),
  }))
  table.on('GET', '/backup/jobs/mirror/{id}', (ctx) => ({
    status: 200,
    json: jobOfType(ctx, 'mirrorBackup'),
  }))
  table.on('GET', '/backup/logs', (ctx) =>
    collectionReply(ctx, 'backup-logs', logsSorted(ctx.sim, 'backup-logs')),
  )
  table.on('GET', '/backup/logs/{id}', (ctx) => ({
    status: 200,
    json: logOfKind(ctx, 'backup-log'),
  }))
  // Its doc comment names a privilege, but the route has neither the `acl` scope nor an ACL
  // middleware (routes.js): admins only, whatever the generated table says.
  table.on('GET', '/restore/logs', (ctx) => {
    if (ctx.caller.permission !== 'admin') throw xoError.notEnoughPermissions()
    return collectionReply(ctx, 'restore-logs', logsSorted(ctx.sim, 'restore-logs'))
  })
  table.on('GET', '/restore/logs/{id}', (ctx) => ({
    status: 200,
    json: logOfKind(ctx, 'restore-log'),
  }))

  // Without `backup-repository` XO lists no repository at all, hence `[]` (backup-archive.controller).
  table.on('GET', '/backup-archives', (ctx) =>
    collectionReply(
      ctx,
      'backup-archives',
      selectedRepositories(ctx).flatMap((repository) => archivesOn(ctx.sim, repository)),
    ),
  )
  table.on('GET', '/backup-archives/{id}', (ctx) => {
    const id = ctx.params['id'] ?? ''
    const archive = targetRecord(ctx)
    const repository = ctx.sim.store.get('backup-repositories', String(archive['backupRepository']))
    if (!ARCHIVE_ID.test(id) || !repository || !archivesOn(ctx.sim, repository).includes(archive)) {
      throw xoError.noSuchObject(id, 'backup-archive')
    }
    return { status: 200, json: archive }
  })
}
