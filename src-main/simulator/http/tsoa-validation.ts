/**
 * Parameter and body validation with the messages of tsoa, XO's framework (GUIDE §7.2): every
 * problem lands in one field map, keyed by parameter name, `body` or `body.<prop>`, answered as 422.
 * Bodies are strict: tsoa runs with `noImplicitAdditionalProperties: "throw-on-extras"`.
 */
import { SCHEMAS } from '../generated/operations'
import type { JsonSchema } from '../operation-spec'
import type { FieldErrors } from './xo-errors'

function resolve(schema: JsonSchema): JsonSchema {
  let current = schema
  for (let i = 0; current.$ref && i < 20; i++) {
    current = SCHEMAS[current.$ref.replace('#/components/schemas/', '')] ?? {}
  }
  return current
}

function enumMessage(values: unknown[]): string {
  return `should be one of the following; [${values.map((v) => `'${String(v)}'`).join(',')}]`
}

/** Validates one query or path value (always a string on the wire). Returns an error or undefined. */
export function checkStringParameter(
  raw: string,
  schemaIn: JsonSchema,
): { message: string; value: unknown } | undefined {
  const schema = resolve(schemaIn)
  if (schema.enum) {
    return schema.enum.map(String).includes(raw)
      ? undefined
      : { message: enumMessage(schema.enum), value: raw }
  }
  switch (schema.type) {
    case 'boolean':
      // Only true/false, any case: a bare `?ndjson` or `=1` is refused (GUIDE §3.5).
      return /^(true|false)$/i.test(raw)
        ? undefined
        : { message: 'invalid boolean value', value: raw }
    case 'number':
    case 'integer': {
      const ok =
        schema.type === 'integer'
          ? /^-?\d+$/.test(raw)
          : raw.trim() !== '' && Number.isFinite(Number(raw))
      return ok
        ? undefined
        : {
            message: schema.type === 'integer' ? 'invalid integer number' : 'invalid float number',
            value: raw,
          }
    }
    default:
      return undefined
  }
}

function typeOk(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'array':
      return Array.isArray(value)
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
    default:
      return true
  }
}

const TYPE_MESSAGE: Record<string, string> = {
  string: 'invalid string value',
  number: 'invalid float number',
  integer: 'invalid integer number',
  boolean: 'invalid boolean value',
  array: 'invalid array',
  object: 'invalid object',
}

/** Properties an object schema (or an allOf of object schemas) declares. */
function declaredProperties(schema: JsonSchema): {
  props: Record<string, JsonSchema>
  required: string[]
  open: boolean
} {
  const s = resolve(schema)
  const props: Record<string, JsonSchema> = { ...(s.properties ?? {}) }
  const required = [...(s.required ?? [])]
  let open = s.additionalProperties === true || typeof s.additionalProperties === 'object'
  for (const part of s.allOf ?? []) {
    const inner = declaredProperties(part)
    Object.assign(props, inner.props)
    required.push(...inner.required)
    open ||= inner.open
  }
  return { props, required, open }
}

/** Validates a JSON value; adds tsoa-style errors under `path`. Returns true when valid. */
export function validateValue(
  schemaIn: JsonSchema,
  value: unknown,
  path: string,
  errors: FieldErrors,
): boolean {
  const schema = resolve(schemaIn)
  if (value === null) {
    if (schema.nullable) return true
  }
  if (schema.anyOf || schema.oneOf) {
    const branches = schema.anyOf ?? schema.oneOf ?? []
    if (branches.some((b) => validateValue(b, value, path, {}))) return true
    errors[path] = { message: 'Value does not match any allowed schema', value }
    return false
  }
  if (schema.allOf && !schema.properties) {
    // An intersection: every part must hold, and excess properties are judged against their union.
    const { props, required, open } = declaredProperties(schema)
    return validateObject(
      { properties: props, required, additionalProperties: open },
      value,
      path,
      errors,
      schema.allOf,
    )
  }
  if (schema.enum) {
    if (schema.enum.includes(value)) return true
    errors[path] = { message: enumMessage(schema.enum), value }
    return false
  }
  if (!typeOk(schema.type, value)) {
    errors[path] = { message: TYPE_MESSAGE[schema.type ?? ''] ?? 'invalid value', value }
    return false
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    return value
      .map((v, i) => validateValue(schema.items as JsonSchema, v, `${path}.$${i}`, errors))
      .every(Boolean)
  }
  if (schema.type === 'object' || schema.properties)
    return validateObject(schema, value, path, errors)
  return true
}

function validateObject(
  schema: JsonSchema,
  value: unknown,
  path: string,
  errors: FieldErrors,
  parts: JsonSchema[] = [],
): boolean {
  if (!typeOk('object', value)) {
    errors[path] = { message: 'invalid object', value }
    return false
  }
  const record = value as Record<string, unknown>
  const props = schema.properties ?? {}
  let ok = true
  for (const name of schema.required ?? []) {
    if (record[name] === undefined) {
      errors[`${path}.${name}`] = { message: `'${name}' is required` }
      ok = false
    }
  }
  for (const [name, child] of Object.entries(record)) {
    const propSchema = props[name]
    if (propSchema) {
      if (child !== undefined)
        ok = validateValue(propSchema, child, `${path}.${name}`, errors) && ok
    } else if (typeof schema.additionalProperties === 'object') {
      ok = validateValue(schema.additionalProperties, child, `${path}.${name}`, errors) && ok
    } else if (schema.additionalProperties !== true) {
      errors[path] = {
        message: `"${name}" is an excess property and therefore is not allowed`,
        value,
      }
      ok = false
    }
  }
  // Parts of an allOf may carry their own unions (e.g. host disable's evacuate variants).
  for (const part of parts) {
    const resolved = resolve(part)
    if (resolved.anyOf || resolved.oneOf) {
      const branches = resolved.anyOf ?? resolved.oneOf ?? []
      const loose = (b: JsonSchema): JsonSchema => ({ ...resolve(b), additionalProperties: true })
      if (!branches.some((b) => validateValue(loose(b), value, path, {}))) {
        errors[path] = { message: 'Value does not match any allowed schema', value }
        ok = false
      }
    }
  }
  return ok
}
