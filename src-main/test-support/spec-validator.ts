/**
 * Validates values against XO's published OpenAPI 3.0 spec (test helper: `ajv` is a dev dependency,
 * never import this from code that ships). Any component schema or operation response schema can be
 * checked, so the lab generator's tests and the HTTP conformance tests share one reading of the spec.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'

/** The parts of an OpenAPI document this helper reads (`scripts/xo-spec.ts`'s `OpenApiSpec` fits). */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, unknown> }
}

export interface SpecValidator {
  /**
   * Errors of `value` against the schema at `ref`: `#/components/schemas/Name`, a bare component
   * name, or any JSON pointer into the spec (`#/paths/...`). Empty when valid.
   */
  validateSchema(ref: string, value: unknown): string[]
  /**
   * Where the body schema of a response lives, as a ref `validateSchema` accepts: the spec's own
   * `$ref` when the response points at a component, else a pointer to the inline schema.
   * Undefined when the operation, the status or a JSON body does not exist.
   */
  responseSchemaRef(method: string, path: string, status: number | string): string | undefined
}

const SPEC_ID = 'xo-openapi'
/** OpenAPI formats ajv does not know; tsoa writes `double` on every number. */
const OPENAPI_FORMATS = ['double', 'float', 'int32', 'int64', 'byte', 'binary', 'password']

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * tsoa renders branded ids (`string & { __brand: 'task' }`) as `allOf: [string, {properties:
 * {undefined…}, required: [null]}]`, which no value can satisfy. The brand is a compile-time tag:
 * only the string part describes the wire value.
 */
function isBrandArtifact(schema: unknown): boolean {
  if (!isObject(schema)) return false
  const required = schema.required
  const properties = schema.properties
  return (
    (Array.isArray(required) && required.some((key) => typeof key !== 'string')) ||
    (isObject(properties) && 'undefined' in properties)
  )
}

/** Rewrites the OpenAPI 3.0 dialect (`nullable`) into JSON Schema that ajv understands. */
function toJsonSchema(node: unknown): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (!isObject(node)) return node as Json
  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable') continue
    if (key === 'allOf' && Array.isArray(value)) {
      out.allOf = value.filter((member) => !isBrandArtifact(member)).map(toJsonSchema)
      continue
    }
    out[key] = toJsonSchema(value)
  }
  if (node.nullable !== true) return out
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null']
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    return out
  }
  // No single type to widen (`allOf`/`$ref`/`anyOf`): accept null beside the whole schema.
  return { anyOf: [out, { type: 'null' }] }
}

function formatError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath
  const params = error.params as Record<string, unknown>
  const detail =
    'allowedValues' in params
      ? ` ${JSON.stringify(params.allowedValues)}`
      : 'additionalProperty' in params
        ? ` '${String(params.additionalProperty)}'`
        : ''
  return `${where} ${error.message ?? error.keyword}${detail}`
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

export function createSpecValidator(spec: OpenApiDocument): SpecValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false })
  addFormats(ajv)
  for (const format of OPENAPI_FORMATS) ajv.addFormat(format, true)
  ajv.addSchema({ ...(toJsonSchema(spec) as Record<string, Json>), $id: SPEC_ID })

  const compiled = new Map<string, ValidateFunction>()
  function validatorFor(ref: string): ValidateFunction {
    const pointer = ref.startsWith('#') ? ref : `#/components/schemas/${ref}`
    let validate = compiled.get(pointer)
    if (!validate) {
      validate = ajv.compile({ $ref: `${SPEC_ID}${pointer}` })
      compiled.set(pointer, validate)
    }
    return validate
  }

  return {
    validateSchema(ref, value) {
      const validate = validatorFor(ref)
      if (validate(value)) return []
      return (validate.errors ?? []).map(formatError)
    },

    responseSchemaRef(method, path, status) {
      const operation = spec.paths[path]?.[method.toLowerCase()]
      if (!isObject(operation) || !isObject(operation.responses)) return undefined
      const response = operation.responses[String(status)]
      if (!isObject(response) || !isObject(response.content)) return undefined
      const media = response.content['application/json']
      if (!isObject(media) || !isObject(media.schema)) return undefined
      if (typeof media.schema.$ref === 'string') return media.schema.$ref
      return [
        '#',
        'paths',
        path,
        method.toLowerCase(),
        'responses',
        String(status),
        'content',
        'application/json',
        'schema',
      ]
        .map((segment, index) => (index === 0 ? segment : escapePointer(segment)))
        .join('/')
    },
  }
}
