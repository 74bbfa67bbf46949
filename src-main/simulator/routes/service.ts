/**
 * Service routes (docs/xo-rest-api.md#authentication, #quirks-of-0390): the unauthenticated health
 * and discovery endpoints, the simulator's OpenAPI document, and the backup routes that need
 * special handling.
 */
import { registerBackupCompat } from './backup-compat'
import { buildOpenApiDocument } from './openapi-doc'
import type { HandlerTable } from './table'

let openApiDocument: Record<string, unknown> | undefined

export function registerService(table: HandlerTable): void {
  table.on('GET', '/ping', (ctx) => ({
    status: 200,
    json: { result: 'pong', timestamp: ctx.sim.now() },
  }))
  // The web UIs' URLs as xo-server's config gives them (the defaults of an XOA).
  table.on('GET', '/gui-routes', () => ({ status: 200, json: { xo5: '/', xo6: '/v6' } }))
  // The MCP kill-switch defaults to enabled (mcp.helper.mjs); disabled would be a 503.
  table.on('GET', '/mcp/status', () => ({ status: 200, json: { enabled: true } }))
  table.on('GET', '/docs/swagger.json', () => {
    openApiDocument ??= buildOpenApiDocument()
    return { status: 200, json: openApiDocument }
  })
  registerBackupCompat(table)
}
