/** A JSON Schema fragment as XO's spec writes it (OpenAPI 3.0 dialect: `nullable`, local `$ref`s). */
export interface JsonSchema {
  type?: string
  enum?: unknown[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  nullable?: boolean
  format?: string
  $ref?: string
  [key: string]: unknown
}

/** One operation of XO's REST API, as generated from the spec into generated/operations.ts. */
export interface OperationSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path template relative to /rest/v0, e.g. `/vms/{id}/actions/start`. */
  path: string
  operationId: string
  tag: string
  deprecated: boolean
  /** False for the few routes that need no credentials (`/ping`, `/gui-routes`, `/mcp/status`). */
  authenticated: boolean
  /**
   * True when non-admins may use the route through RBAC privileges; otherwise it is admin-only
   * (@xen-orchestra/rest-api 0.39.0, dist/middlewares/authentication.middleware.mjs).
   */
  acl: boolean
  /** The RBAC privilege the route checks on its target object, as the spec's description names it. */
  privilege: { resource: string; action: string } | null
  pathParams: { name: string; schema: JsonSchema }[]
  query: { name: string; required: boolean; schema: JsonSchema }[]
  body: { required: boolean; contentType: string; schema: JsonSchema } | null
  responses: number[]
}
