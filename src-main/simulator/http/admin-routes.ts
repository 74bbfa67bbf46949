import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Simulation } from '../simulation'
import { readJsonBody } from './read-body'
import { writeJson } from './reply'

/** The simulator's own control routes, outside /rest/v0 so they never clash with XO's. */
export const ADMIN_PREFIX = '/_simulator'

/**
 * `GET /_simulator/faults` lists faults, `POST` adds `{"fault": "GET /vms/*.xva:drop-after=10MB"}`,
 * `DELETE` clears them; `POST /_simulator/drop` cuts every event stream. The admin token is required.
 */
export async function handleAdmin(
  sim: Simulation,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const token = /(?:^|;\s*)authenticationToken=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
  if (token === undefined || decodeURIComponent(token) !== sim.adminToken) {
    return writeJson(res, 401, { error: 'the simulator admin routes need the admin token cookie' })
  }
  const route = `${req.method ?? 'GET'} ${path.slice(ADMIN_PREFIX.length)}`
  try {
    switch (route) {
      case 'GET /faults':
        return writeJson(res, 200, sim.faults.list())
      case 'POST /faults': {
        const body = (await readJsonBody(req)) as { fault?: unknown } | undefined
        if (typeof body?.fault !== 'string')
          return writeJson(res, 422, { error: 'send {"fault": "<METHOD> <path>:<kind>=<value>"}' })
        sim.faults.add(body.fault)
        return writeJson(res, 201, sim.faults.list())
      }
      case 'DELETE /faults':
        sim.faults.clear()
        return writeJson(res, 204, undefined)
      case 'POST /drop-event-streams':
        sim.events.closeAll()
        return writeJson(res, 204, undefined)
      default:
        return writeJson(res, 404, { error: `no simulator route ${route}` })
    }
  } catch (err) {
    return writeJson(res, 422, { error: err instanceof Error ? err.message : String(err) })
  }
}
