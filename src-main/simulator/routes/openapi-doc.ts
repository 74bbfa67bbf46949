/**
 * The simulator's own OpenAPI 3.0 description, served at /docs/swagger.json as XO serves its own
 * (@xen-orchestra/rest-api 0.39.0, dist/index.mjs): built
 * from the operations it implements (generated/operations.ts), never from XO's spec file, which
 * the app does not ship. Parameters and bodies keep XO's schemas; responses list status codes.
 */
import { OPERATIONS, SCHEMAS, SPEC_VERSION } from '../generated/operations'
import type { JsonSchema, OperationSpec } from '../operation-spec'

const STATUS_TEXT: Record<number, string> = {
  200: 'Ok',
  201: 'Created',
  202: 'Action executed asynchronously',
  204: 'No content',
  307: 'Temporary redirect',
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Resource not found',
  409: 'Conflict',
  422: 'Invalid parameters',
  500: 'Internal server error, XenServer/XCP-ng error',
  501: 'Not implemented',
  502: 'Bad gateway',
  503: 'Service unavailable',
}

const REF_PREFIX = '#/components/schemas/'

/** Names of every component schema reachable from `node` through `$ref`s. */
function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into)
    return
  }
  if (typeof node !== 'object' || node === null) return
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) {
      const name = value.slice(REF_PREFIX.length)
      if (into.has(name)) continue
      into.add(name)
      collectRefs(SCHEMAS[name], into)
    } else collectRefs(value, into)
  }
}

/**
 * OpenAPI 3.0 only allows `nullable` next to `type`; tsoa writes `{anyOf: [...], nullable: true}`.
 * Moving `nullable` into typed branches says the same thing in a form validators accept.
 */
function portable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portable)
  if (typeof node !== 'object' || node === null) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) out[key] = portable(value)
  const branches = out['anyOf'] ?? out['oneOf']
  const typed = (b: unknown): b is Record<string, unknown> =>
    typeof b === 'object' && b !== null && 'type' in b
  if (
    out['nullable'] === true &&
    !('type' in out) &&
    Array.isArray(branches) &&
    branches.every(typed)
  ) {
    delete out['nullable']
    out[out['anyOf'] ? 'anyOf' : 'oneOf'] = branches.map((b) => ({ ...b, nullable: true }))
  }
  return out
}

function operationObject(op: OperationSpec, operationId: string): Record<string, unknown> {
  const parameters = [
    ...op.pathParams.map((p) => ({ name: p.name, in: 'path', required: true, schema: p.schema })),
    ...op.query.map((q) => ({ name: q.name, in: 'query', required: q.required, schema: q.schema })),
  ]
  const responses: Record<string, { description: string }> = {}
  for (const code of op.responses)
    responses[String(code)] = { description: STATUS_TEXT[code] ?? 'Response' }
  if (op.responses.length === 0) responses['default'] = { description: 'Response' }
  const privilege = op.privilege
    ? `Required privilege: resource ${op.privilege.resource}, action ${op.privilege.action}.`
    : undefined
  return {
    operationId,
    summary: `${op.method} ${op.path}`,
    tags: [op.tag],
    ...(privilege ? { description: privilege } : {}),
    ...(op.deprecated ? { deprecated: true } : {}),
    // No credentials at all for /ping, /gui-routes, /mcp/status (security `none` in XO's spec).
    security: op.authenticated ? [{ token: [] }, { basic: [] }] : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required,
            content: { [op.body.contentType]: { schema: op.body.schema } },
          },
        }
      : {}),
    responses,
  }
}

/** The whole document; every `$ref` resolves inside it. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  const refs = new Set<string>()
  const ids = new Set<string>()
  for (const op of OPERATIONS) {
    // XO's spec reuses three operationIds (GetSrs/GetSr for /sms, ManagementReconfigure for
    // hosts); OpenAPI wants them unique, so a repeat gets its tag appended.
    const operationId = ids.has(op.operationId) ? `${op.operationId}_${op.tag}` : op.operationId
    ids.add(operationId)
    const operation = operationObject(op, operationId)
    collectRefs(operation, refs)
    ;(paths[op.path] ??= {})[op.method.toLowerCase()] = operation
  }
  const schemas: Record<string, JsonSchema> = {}
  for (const name of [...refs].sort()) schemas[name] = portable(SCHEMAS[name] ?? {}) as JsonSchema
  return {
    openapi: '3.0.0',
    info: {
      title: 'Xen Orchestra REST API (XO Desk simulator)',
      version: SPEC_VERSION,
      description: `Operations of XO's REST API ${SPEC_VERSION} as the XO Desk simulator serves them.`,
    },
    servers: [{ url: '/rest/v0' }],
    paths,
    components: {
      securitySchemes: {
        token: { type: 'apiKey', name: 'authenticationToken', in: 'cookie' },
        basic: { type: 'http', scheme: 'basic' },
      },
      schemas,
    },
  }
}
