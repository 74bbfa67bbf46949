/**
 * Host downloads and checks (docs/xo-rest-api.md#exports-and-imports): SMT, missing patches
 * (XOA-licence gated), the XAPI audit log and the host's logs tarball; plus a backup repository's
 * health.
 */
import { Readable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { pack } from 'tar-stream'
import { targetRecord as target, type RequestContext } from '../http/context'
import { XapiError, XoHttpError, xoError } from '../http/xo-errors'
import type { XoRecord } from '../lab/types'
import type { Simulation } from '../simulation'
import type { HandlerTable } from './table'

/**
 * An XOA without licence is on the free plan (1); listing missing patches needs starter (2).
 * XO's authorization mixin puts the plan *levels* in `data`, hence not xoError.featureUnauthorized.
 */
const MISSING_PATCHES_UNAUTHORIZED = (): XoHttpError =>
  new XoHttpError(403, {
    error: 'feature Unauthorized',
    data: { featureCode: 'LIST_MISSING_PATCHES', currentPlan: 1, minPlan: 2 },
  })

/**
 * XO 0.39.0 builds the audit file name from `host.name_label`, but `host` there is the OpenAPI
 * example host it imports (host.controller.mjs), not the requested one: every file gets this name.
 */
const AUDIT_FILE_HOST_NAME = 'XCP XO 8.3.0 master'

/**
 * XAPI calls on a halted host fail with HOST_OFFLINE (a 500 with `info`,
 * docs/xo-rest-api.md#errors).
 */
function assertHostOnline(host: XoRecord): void {
  if (host['power_state'] !== 'Running') {
    throw new XapiError('HOST_OFFLINE', [String(host['_xapiRef'] ?? host.id)])
  }
}

/** HTTP downloads go straight to the host's address: a halted one refuses the connection. */
function assertHostReachable(host: XoRecord): void {
  if (host['power_state'] !== 'Running') {
    throw xoError.plain(`connect EHOSTUNREACH ${String(host['address'] ?? host.id)}:443`)
  }
}

/** `gzip` or `x-gzip` anywhere in Accept-Encoding (base-controller's maybeCompressResponse). */
function acceptsGzip(ctx: RequestContext): boolean {
  const header = ctx.req.headers['accept-encoding']
  const values = Array.isArray(header) ? header : (header?.split(',') ?? [])
  return values.some((v) =>
    ['gzip', 'x-gzip'].includes((v.split(';')[0] ?? '').trim().toLowerCase()),
  )
}

const pad = (n: number): string => String(n).padStart(2, '0')
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ')

/** syslog prefix and XAPI's compact timestamp for one instant. */
function stamps(ms: number): { syslog: string; xapi: string } {
  const d = new Date(ms)
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  const day = String(d.getUTCDate()).padStart(2, ' ')
  const iso = d.toISOString()
  return {
    syslog: `${MONTHS[d.getUTCMonth()]} ${day} ${time}`,
    xapi: `${iso.slice(0, 10).replaceAll('-', '')}T${iso.slice(11, 23)}Z`,
  }
}

/** The host's XAPI audit log: the last hours of API calls, oldest first. */
function auditLines(sim: Simulation, host: XoRecord): string[] {
  const name = String(host['hostname'] ?? host['name_label'])
  const vms = [...sim.store.list('vms')].filter((vm) => vm['$container'] === host.id)
  const calls = [
    'session.login_with_password',
    'event.from',
    'host.get_servertime',
    'VM.get_record',
  ]
  const lines: string[] = []
  const count = 60
  for (let i = 0; i < count; i++) {
    const at = sim.now() - (count - i) * 97_000
    const { syslog, xapi } = stamps(at)
    const vm = vms.length > 0 ? vms[i % vms.length] : undefined
    const call = vm && i % 5 === 4 ? 'VM.snapshot' : (calls[i % calls.length] ?? 'event.from')
    const track = (host.id.replaceAll('-', '') + i.toString(16)).slice(-32)
    const args =
      vm && call.startsWith('VM.')
        ? ` (('vm' '${String(vm['name_label'])}' '${vm.id}' '${String(vm['_xapiRef'])}'))`
        : ' ()'
    lines.push(
      `${syslog} ${name} xapi: [${xapi}|audit|${name}|${1000 + i} HTTPS 10.0.0.5->|${call} R:${track.slice(0, 12)}|audit] ` +
        `('trackid=${track}' 'LOCAL_SUPERUSER' 'root' 'ALLOWED' 'OK' 'API' '${call}'${args})\n`,
    )
  }
  return lines
}

/** A small /var/log as /host_logs_download packs it: a gzipped tar, streamed. */
function logsTarball(sim: Simulation, host: XoRecord): Readable {
  const name = String(host['hostname'] ?? host['name_label'])
  const { syslog } = stamps(sim.now())
  const files: Record<string, string> = {
    'var/log/audit.log': auditLines(sim, host).join(''),
    'var/log/xensource.log': `${syslog} ${name} xapi: [ info||0 ||xapi] xapi-${String(host['version'] ?? '8.3.0')} starting\n`,
    'var/log/SMlog': `${syslog} ${name} SM: [1234] sr_scan {'sr_uuid': 'all'}\n`,
    'var/log/daemon.log': `${syslog} ${name} systemd[1]: Started XCP-ng toolstack.\n`,
  }
  const tar = pack()
  const mtime = new Date(sim.now())
  for (const [path, content] of Object.entries(files))
    tar.entry({ name: path, mtime, mode: 0o644 }, content)
  tar.finalize()
  const gzip = createGzip()
  tar.pipe(gzip)
  return gzip
}

export function registerHostInsight(table: HandlerTable): void {
  // xapi.isHyperThreadingEnabled asks the host itself.
  table.on('GET', '/hosts/{id}/smt', (ctx) => {
    const host = target(ctx)
    assertHostOnline(host)
    const threads = Number(
      (host['CPUs'] as { threads_per_core?: string } | undefined)?.threads_per_core ?? 1,
    )
    return { status: 200, json: { enabled: threads > 1 } }
  })
  // checkFeatureAuthorization('LIST_MISSING_PATCHES') runs before anything else
  // (@xen-orchestra/rest-api 0.39.0, dist/hosts/host.service.mjs): a 403 without an XOA licence.
  table.on('GET', '/hosts/{id}/missing_patches', () => {
    throw MISSING_PATCHES_UNAUTHORIZED()
  })
  table.on('GET', '/pools/{id}/missing_patches', () => {
    throw MISSING_PATCHES_UNAUTHORIZED()
  })
  // Octet-stream, quoted file name, gzip when the client accepts it, no Content-Length
  // (dist/hosts/host.controller.mjs).
  table.on('GET', '/hosts/{id}/audit.txt', (ctx) => {
    const host = target(ctx)
    assertHostReachable(host)
    const date = new Date(ctx.sim.now()).toISOString()
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="${AUDIT_FILE_HOST_NAME}-${date}-audit.txt"`,
    }
    const body = Readable.from(auditLines(ctx.sim, host))
    if (!acceptsGzip(ctx)) return { status: 200, stream: body, headers }
    return {
      status: 200,
      stream: body.pipe(createGzip()),
      headers: { ...headers, 'Content-Encoding': 'gzip' },
    }
  })
  table.on('GET', '/hosts/{id}/logs.tgz', (ctx) => {
    const host = target(ctx)
    assertHostReachable(host)
    return {
      status: 200,
      stream: logsTarball(ctx.sim, host),
      headers: { 'Content-Type': 'application/gzip' },
    }
  })
  // pingRemote: a disabled repository cannot be reached (getRemoteWithCredentials throws).
  table.on('GET', '/backup-repositories/{id}/health', (ctx) => {
    if (target(ctx)['enabled'] !== true) throw xoError.plain('remote is disabled')
    return { status: 200, json: { success: true } }
  })
}
