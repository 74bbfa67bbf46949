import { setTimeout as sleep } from 'node:timers/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CollectionName } from '../lab/types'
import { COLLECTIONS } from '../lab/types'
import { applyBodyFaults, type FaultKind } from '../faults'
import type { HandlerTable } from '../routes/table'
import type { Simulation } from '../simulation'
import { TYPE_OF_COLLECTION } from '../xo-types'
import type { RequestContext } from './context'
import { looksUpTarget, lookUpBodyObjects } from './acl-lookups'
import { ADMIN_PREFIX, handleAdmin } from './admin-routes'
import { readJsonBody } from './read-body'
import { writeExpressNotFound, writeJson, writeReply, writeXoError } from './reply'
import { matchRoute, operationKey } from './route-table'
import { checkStringParameter, validateBody, xoFieldErrors } from './tsoa-validation'
import { toXoHttpError, xoError, type FieldErrors } from './xo-errors'

const BASE = '/rest/v0'

/** XO serves Swagger UI at /rest/v0/docs; the simulator serves a short page pointing at the spec. */
function writeDocsPage(res: ServerResponse): void {
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>XO REST API (simulator)</title></head>' +
    '<body><h1>XO REST API 0.39.0 — XO Desk simulator</h1><p>Machine-readable description: ' +
    '<a href="/rest/v0/docs/swagger.json">/rest/v0/docs/swagger.json</a></p></body></html>'
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
  })
  res.end(html)
}

/** The faults that answer instead of the server (status, 429) or change the request (latency, token). */
async function applyFrontFaults(
  sim: Simulation,
  req: IncomingMessage,
  res: ServerResponse,
  faults: FaultKind[],
): Promise<boolean> {
  for (const fault of faults) {
    if (fault.kind === 'latency') await sleep(fault.ms)
    if (fault.kind === 'expire-token') {
      const token = /(?:^|;\s*)(?:authenticationToken|token)=([^;]+)/.exec(
        req.headers.cookie ?? '',
      )?.[1]
      if (token) sim.auth.expire(decodeURIComponent(token))
    }
    if (fault.kind === 'rate-limit') {
      writeJson(
        res,
        429,
        { error: 'too many requests' },
        { 'Retry-After': String(fault.retryAfterSeconds) },
      )
      return true
    }
    if (fault.kind === 'status') {
      const err =
        fault.status === 503
          ? xoError.serviceUnavailable('xo-server')
          : xoError.api(fault.status, fault.message ?? `simulated failure (HTTP ${fault.status})`)
      writeXoError(res, err)
      return true
    }
  }
  return false
}

/** `/vms/{id}/…` → the collection and id the route targets, if its first segment is a collection. */
function targetOf(
  path: string,
  params: Record<string, string>,
): { collection: CollectionName; id: string } | undefined {
  const first = path.split('/')[1] as CollectionName
  const id = params['id']
  if (id === undefined || !COLLECTIONS.includes(first)) return undefined
  return { collection: first, id }
}

/**
 * Answers one HTTP request the way XO's middleware chain does, in its order
 * (@xen-orchestra/rest-api 0.39.0, dist/index.mjs and the per-route chain of
 * dist/open-api/routes/routes.js).
 */
export async function handleRequest(
  sim: Simulation,
  handlers: HandlerTable,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase()
  const url = new URL(req.url ?? '/', 'http://simulator')
  if (url.pathname.startsWith(ADMIN_PREFIX)) return handleAdmin(sim, req, res, url.pathname)
  if (!/^\/rest\/v0(\/|$)/i.test(url.pathname))
    return writeExpressNotFound(res, method, url.pathname)
  const path = url.pathname.slice(BASE.length) || '/'
  sim.noteRequest(method, `${path}${url.search}`)

  const faults = sim.faults.take(method, path)
  if (await applyFrontFaults(sim, req, res, faults)) return
  applyBodyFaults(res, faults)

  const abort = new AbortController()
  res.on('close', () => abort.abort(new Error('client closed the connection')))
  try {
    // 1. Credentials, for every path: bad ones fail even where none are needed
    // (docs/xo-rest-api.md#authentication).
    const caller = sim.auth.authenticate(req, (id) => sim.store.get('users', id))

    if (path === '/' || path === '')
      return writeJson(res, 302, undefined, { Location: `${BASE}/docs` })
    if (/^\/docs\/?$/i.test(path)) return writeDocsPage(res)
    const match = matchRoute(method, path)
    if (match === 'no-route') return writeExpressNotFound(res, method, url.pathname)
    const { op, params } = match

    // 2. Route authentication: no caller → 401; admin-only routes → 403 for others
    // (@xen-orchestra/rest-api 0.39.0, dist/middlewares/authentication.middleware.mjs).
    // The docs are served outside tsoa, with no auth check, though the spec lists swagger.json
    // (dist/index.mjs).
    const needsAuth = op.authenticated && op.path !== '/docs/swagger.json'
    if (needsAuth && !caller) throw xoError.invalidCredentials()
    if (needsAuth && caller && !op.acl && caller.permission !== 'admin')
      throw xoError.notEnoughPermissions()

    // 3. `/users/me…` is a 307 to the caller's own id, rest of path and query kept
    // (dist/users/user.middleware.mjs).
    if (caller && /^\/users\/me(\/|$)/i.test(path)) {
      const location = `${BASE}/users/${caller.userId}${path.slice('/users/me'.length)}${url.search}`
      return writeJson(res, 307, undefined, { Location: location })
    }

    // 4. JSON body (malformed → 500), then the objects the route's acl fetches, path and body
    // ids (404, before validation and before any task), and RBAC (403).
    const body = op.body?.contentType === 'application/json' ? await readJsonBody(req) : undefined
    const key = operationKey(op)
    const ref = looksUpTarget(key) ? targetOf(op.path, params) : undefined
    let target: RequestContext['target']
    if (ref) {
      const record = sim.store.get(ref.collection, ref.id)
      if (!record) throw xoError.noSuchObject(ref.id, TYPE_OF_COLLECTION[ref.collection])
      target = { collection: ref.collection, record }
    }
    lookUpBodyObjects(sim, key, body)
    if (
      caller &&
      op.privilege &&
      target &&
      !sim.rbac.can(caller, op.privilege.resource, op.privilege.action, target.record)
    ) {
      throw xoError.notEnoughPrivileges([{ objectId: target.record.id, ...op.privilege }])
    }

    // 5. Parameters and body, with tsoa's messages (422, docs/xo-rest-api.md#errors).
    const query: Record<string, string> = {}
    const errors: FieldErrors = {}
    for (const p of op.query) {
      const raw = url.searchParams.get(p.name)
      if (raw === null) {
        if (p.required) errors[p.name] = { message: `'${p.name}' is required` }
        continue
      }
      query[p.name] = raw
      const problem = checkStringParameter(raw, p.schema)
      if (problem) errors[p.name] = problem
    }
    for (const p of op.pathParams) {
      const problem = checkStringParameter(params[p.name] ?? '', p.schema)
      if (problem) errors[p.name] = problem
    }
    // tsoa always gets a body here: express.json() leaves {} when none was sent (read-body.ts).
    const validBody =
      op.body?.contentType === 'application/json'
        ? validateBody(op.body.schema, body, errors)
        : undefined
    if (Object.keys(errors).length > 0) throw xoError.invalidFields(xoFieldErrors(errors))

    const handler = handlers.get(key)
    if (!handler) throw xoError.notImplemented()
    const reply = await handler({
      sim,
      op,
      params,
      query,
      caller: caller ?? { userId: '', permission: 'none' },
      target,
      // What tsoa hands the controller: coerced, with defaults.
      body: validBody,
      req,
      res,
      signal: abort.signal,
    })
    await writeReply(res, reply)
  } catch (err) {
    writeXoError(res, toXoHttpError(err))
  }
}
