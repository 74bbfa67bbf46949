/**
 * Parameter and body validation with the messages of tsoa, XO's framework
 * (docs/xo-rest-api.md#errors): every problem lands in one field map, keyed by parameter name,
 * `body`, `body.<prop>` or, for an array's items, `<array>.$<i>`, answered as 422.
 * XO runs tsoa with `noImplicitAdditionalProperties: "throw-on-extras"` and `bodyCoercion: true`
 * (@xen-orchestra/rest-api 0.39.0, dist/open-api/routes/routes.js): bodies are strict, and strings
 * like "4" or "true" pass for numbers and booleans.
 */
import { SCHEMAS } from '../generated/operations'
import type { JsonSchema } from '../operation-spec'
import type { FieldErrors } from './xo-errors'

/** A component by name, for `$ref: '#/components/schemas/<name>'`. */
function component(ref: string): { name: string; schema: JsonSchema } {
  const name = ref.replace('#/components/schemas/', '')
  return { name, schema: SCHEMAS[name] ?? {} }
}

/**
 * An interface (tsoa's `refObject`): the spec gives it `additionalProperties: false`, since XO runs
 * tsoa with `noImplicitAdditionalProperties: "throw-on-extras"`. Type aliases (`refAlias`) have none.
 */
function isInterface(schema: JsonSchema): boolean {
  return schema.type === 'object' && schema.additionalProperties === false
}

/** What tsoa does with properties nobody declared. */
type Extras = 'throw-on-extras' | 'silently-remove-extras' | 'ignore'

interface Check {
  errors: FieldErrors
  extras: Extras
  /**
   * Inside a mapped or generic alias (tsoa names them `Partial_X_`, `Unbrand_X_`, `Pick_…_`): its
   * optional properties are `T | undefined` unions, so a wrong value fails as a union.
   */
  optionalUnion: boolean
}

/** tsoa's object model: an interface, or an object literal. */
interface ObjectModel {
  properties: Record<string, JsonSchema>
  required: readonly string[]
  additionalProperties: boolean | JsonSchema | undefined
}

// Literal types the spec cannot write: `undefined`, and `null` as tsoa's one-value enum.
const UNDEFINED: JsonSchema = { 'x-tsoa': 'undefined' }
const NULL: JsonSchema = { enum: [null] }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const count = (errors: FieldErrors): number => Object.keys(errors).length
const copy = (value: unknown): unknown =>
  value ? (JSON.parse(JSON.stringify(value)) as unknown) : value

// validator.js, as tsoa calls it: isFloat and isInt (leading zeros allowed), en-US.
const FLOAT = /^[-+]?[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?$/
const isFloat = (s: string): boolean => !['', '.', ',', '-', '+'].includes(s) && FLOAT.test(s)
const isInt = (s: string): boolean => /^[-+]?[0-9]+$/.test(s)

/**
 * One value against its schema, as tsoa's `ValidateParam` does (@tsoa/runtime 6.6.0,
 * dist/routeGeneration/templateHelpers.js) with XO's `bodyCoercion: true`, reading the spec the way
 * tsoa writes it: `nullable` is a union with null, a multi-valued `enum` a union of literals, `anyOf`
 * a union and `allOf` an intersection. Errors are keyed `parent + name`. Returns the value as the
 * controller gets it (coerced), or undefined when it failed.
 */
function check(
  schema: JsonSchema,
  raw: unknown,
  name: string,
  parent: string,
  c: Check,
  required = false,
): unknown {
  let value = raw
  if (value === undefined) {
    if (schema.default === undefined) {
      if (required) c.errors[parent + name] = { message: `'${name}' is required` }
      return undefined
    }
    value = copy(schema.default)
  }
  const at = parent + name
  const fail = (message: string): undefined => {
    c.errors[at] = { message, value }
    return undefined
  }
  if (schema['x-tsoa'] === 'undefined')
    return value === undefined ? value : fail('invalid undefined value')
  if (schema.$ref) {
    const { name: model, schema: target } = component(schema.$ref)
    if (isInterface(target))
      return checkModel(objectModel(target), value, name, parent, { ...c, optionalUnion: false })
    return check(target, value, name, parent, { ...c, optionalUnion: model.endsWith('_') })
  }
  if (schema.nullable === true)
    return checkUnion([{ ...schema, nullable: false }, NULL], value, name, parent, c)
  if (schema.allOf) {
    const [only] = schema.allOf
    return schema.allOf.length === 1 && only
      ? check(only, value, name, parent, c)
      : checkIntersection(schema.allOf, value, name, parent, c)
  }
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) return checkUnion(branches, value, name, parent, c)
  if (schema.enum) {
    if (schema.enum.length !== 1) {
      return checkUnion(
        schema.enum.map((literal) => ({ enum: [literal] })),
        value,
        name,
        parent,
        c,
      )
    }
    const members = schema.enum
    const index = members.findIndex((m) => String(m) === String(value))
    if (index !== -1) return members[index]
    const quoted = members.map((m) => (typeof m === 'string' ? `'${m}'` : String(m)))
    return fail(`should be one of the following; [${quoted.join(',')}]`)
  }
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return fail('invalid string value')
      const { minLength, maxLength, pattern } = schema
      if (typeof minLength === 'number' && value.length < minLength)
        return fail(`minLength ${minLength}`)
      if (typeof maxLength === 'number' && value.length > maxLength)
        return fail(`maxLength ${maxLength}`)
      if (typeof pattern === 'string' && !new RegExp(pattern).test(value))
        return fail(`Not match in '${pattern}'`)
      return value
    }
    case 'number':
    case 'integer': {
      const integer = schema.type === 'integer'
      const text = String(value)
      if (!(integer ? isInt(text) : isFloat(text)))
        return fail(integer ? 'invalid integer number' : 'invalid float number')
      const n = integer ? parseInt(text, 10) : parseFloat(text)
      if (typeof schema.minimum === 'number' && n < schema.minimum)
        return fail(`min ${schema.minimum}`)
      if (typeof schema.maximum === 'number' && n > schema.maximum)
        return fail(`max ${schema.maximum}`)
      return n
    }
    case 'boolean': {
      // Coerced: null reads as false, and "true"/"false" in any case as booleans.
      if (value === true || value === false) return value
      if (value === null) return false
      const text = String(value).toLowerCase()
      if (text === 'true' || text === 'false') return text === 'true'
      return fail('invalid boolean value')
    }
    case 'array': {
      const items = schema.items
      if (!items) return fail('invalid array')
      // Coerced: a lone value is an array of one. Items are keyed by the array's own name.
      const before = count(c.errors)
      const list = Array.isArray(value) ? value : [value]
      const out = list.map((item, i) => check(items, item, `$${i}`, `${name}.`, c))
      return count(c.errors) > before ? undefined : out
    }
    case 'object':
      // A bare `object` is not checked at all; an object literal is.
      if (!schema.properties && schema.additionalProperties === undefined) return value
      return checkLiteral(schema, value, name, parent, c)
    default:
      return schema.properties ? checkLiteral(schema, value, name, parent, c) : value
  }
}

function objectModel(schema: JsonSchema): ObjectModel {
  return {
    properties: schema.properties ?? {},
    required: schema.required ?? [],
    additionalProperties: schema.additionalProperties,
  }
}

/** A declared property, as an alias's `T | undefined` union when it is optional there. */
function propertySchema(model: ObjectModel, key: string, c: Check): JsonSchema {
  const schema = model.properties[key] ?? {}
  if (!c.optionalUnion || model.required.includes(key)) return schema
  const union: JsonSchema = { anyOf: [schema, UNDEFINED] }
  return schema.default === undefined ? union : { ...union, default: schema.default }
}

/** An interface (`validateModel`): each excess property is its own error, keyed by its path. */
function checkModel(
  model: ObjectModel,
  value: unknown,
  name: string,
  parent: string,
  c: Check,
): unknown {
  const at = parent + name
  if (!isObject(value)) {
    c.errors[at] = { message: 'invalid object', value }
    return undefined
  }
  const before = count(c.errors)
  const declared = new Set(Object.keys(model.properties))
  const present = Object.keys(value)
  for (const key of declared) {
    const required = model.required.includes(key)
    const clean = check(propertySchema(model, key, c), value[key], key, `${at}.`, c, required)
    if (clean !== undefined) value[key] = clean
  }
  const extras = model.additionalProperties
  for (const key of present.filter((k) => !declared.has(k))) {
    if (extras === true || extras === undefined) break
    if (extras === false) {
      if (c.extras === 'throw-on-extras') {
        c.errors[`${at}.${key}`] = {
          message: `"${key}" is an excess property and therefore is not allowed`,
          value: key,
        }
      } else if (c.extras === 'silently-remove-extras') delete value[key]
      continue
    }
    const clean = check(extras, value[key], key, `${at}.`, c)
    if (clean !== undefined) value[key] = clean
    else {
      c.errors[`${at}.${key}`] = {
        message: `No matching model found in additionalProperties to validate ${key}`,
        value: key,
      }
    }
  }
  return count(c.errors) > before ? undefined : value
}

/** An object literal (`validateNestedObjectLiteral`): its excess properties are one error, on it. */
function checkLiteral(
  schema: JsonSchema,
  value: unknown,
  name: string,
  parent: string,
  c: Check,
): unknown {
  const at = parent + name
  if (!isObject(value)) {
    c.errors[at] = { message: 'invalid object', value }
    return undefined
  }
  const before = count(c.errors)
  const model = objectModel(schema)
  const extras = model.additionalProperties
  const undeclared = Object.keys(value).filter((k) => !(k in model.properties))
  if (c.extras !== 'ignore' && !extras && undeclared.length > 0) {
    if (c.extras === 'silently-remove-extras') for (const key of undeclared) delete value[key]
    else {
      c.errors[at] = {
        message: `"${undeclared.join(',')}" is an excess property and therefore is not allowed`,
        value: undeclared.reduce((acc, key) => ({ [key]: value[key], ...acc }), {}),
      }
    }
  }
  for (const key of Object.keys(model.properties)) {
    const required = model.required.includes(key)
    const clean = check(propertySchema(model, key, c), value[key], key, `${at}.`, c, required)
    if (clean !== undefined) value[key] = clean
  }
  if (typeof extras === 'object') {
    for (const key of undeclared) {
      const clean = check(extras, value[key], key, `${at}.`, c)
      if (clean !== undefined) value[key] = clean
    }
  }
  return count(c.errors) > before ? undefined : value
}

/** The first branch that fits, on a copy of the value; otherwise one error for the whole union. */
function checkUnion(
  branches: JsonSchema[],
  value: unknown,
  name: string,
  parent: string,
  c: Check,
): unknown {
  const issues: FieldErrors[] = []
  for (const branch of branches) {
    const errors: FieldErrors = {}
    const clean = check(branch, copy(value), name, parent, { ...c, errors })
    issues.push(errors)
    if (count(errors) === 0) return clean
  }
  c.errors[parent + name] = {
    message: `Could not match the union against any of the items. Issues: ${JSON.stringify(issues)}`,
    value,
  }
  return undefined
}

/** The object models an intersection member stands for (`toModelLike`). */
function modelsOf(schema: JsonSchema): ObjectModel[] {
  if (schema.$ref) {
    const target = component(schema.$ref).schema
    return isInterface(target) ? [objectModel(target)] : modelsOf(target)
  }
  if (schema.allOf) return combinations(schema.allOf.map(modelsOf))
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) return branches.flatMap(modelsOf)
  if (schema.properties || typeof schema.additionalProperties === 'object')
    return [objectModel(schema)]
  return [{ properties: {}, required: [], additionalProperties: false }]
}

/** One model per way of picking a model from each member (`selfIntersectionCombinations`). */
function combinations(lists: ObjectModel[][]): ObjectModel[] {
  return lists.reduce<ObjectModel[]>(
    (acc, list) =>
      acc.flatMap((a) =>
        list.map((b) => ({
          properties: { ...a.properties, ...b.properties },
          required: [...new Set([...a.required, ...b.required])],
          additionalProperties: a.additionalProperties || b.additionalProperties || false,
        })),
      ),
    [{ properties: {}, required: [], additionalProperties: false }],
  )
}

/**
 * An intersection (`validateIntersection`): every member must hold on its own, extras aside, and
 * some combination of their models must have all its required properties and no excess one.
 */
function checkIntersection(
  members: JsonSchema[],
  value: unknown,
  name: string,
  parent: string,
  c: Check,
): unknown {
  const at = parent + name
  const issues: FieldErrors[] = []
  let clean: Record<string, unknown> = {}
  for (const member of members) {
    const errors: FieldErrors = {}
    const part = check(member, copy(value), name, parent, {
      ...c,
      errors,
      extras: 'silently-remove-extras',
    })
    if (isObject(part)) clean = { ...clean, ...part }
    issues.push(errors)
  }
  const failed = issues.filter((errors) => count(errors) > 0)
  if (failed.length > 0) {
    c.errors[at] = {
      message: `Could not match the intersection against every type. Issues: ${JSON.stringify(failed)}`,
      value,
    }
    return undefined
  }
  const models = combinations(members.map(modelsOf))
  const complete = models.filter((model) => {
    const errors: FieldErrors = {}
    checkModel(model, copy(value), name, '', { ...c, errors, extras: 'ignore' })
    return count(errors) === 0
  })
  if (c.extras === 'ignore') return isObject(value) ? { ...value, ...clean } : clean
  const keys = isObject(value) ? Object.keys(value) : []
  const fits =
    c.extras === 'silently-remove-extras'
      ? complete.length > 0
      : complete.some((m) => m.additionalProperties || keys.every((k) => k in m.properties))
  if (fits) return clean
  const shapes = JSON.stringify(models.map((m) => Object.keys(m.properties)))
  c.errors[at] = {
    message: `Could not match intersection against any of the possible combinations: ${shapes}`,
    value,
  }
  return undefined
}

const strict = (errors: FieldErrors): Check => ({
  errors,
  extras: 'throw-on-extras',
  optionalUnion: false,
})

/**
 * A query or path value (always a string on the wire): its error, keyed by nothing, or undefined.
 * Pass the error map through `xoFieldErrors` before answering.
 */
export function checkStringParameter(
  raw: string,
  schema: JsonSchema,
): { message: string; value?: unknown } | undefined {
  const errors: FieldErrors = {}
  check(schema, raw, '', '', strict(errors))
  return errors['']
}

/**
 * The JSON body, named `body` as tsoa names the parameter: adds its errors to `errors` and returns
 * the body as XO's controller gets it (coerced values, defaults filled in).
 */
export function validateBody(schema: JsonSchema, body: unknown, errors: FieldErrors): unknown {
  return check(schema, copy(body), 'body', '', strict(errors), true)
}

/**
 * The field map as XO answers it: its tsoa-to-xo-error middleware words every failed union
 * "Value does not match any allowed schema" (@xen-orchestra/rest-api 0.39.0,
 * dist/middlewares/tsoa-to-xo-error.middleware.mjs).
 */
export function xoFieldErrors(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([key, field]) => [
      key,
      field.message.startsWith('Could not match the union against any of the items')
        ? { ...field, message: 'Value does not match any allowed schema' }
        : field,
    ]),
  )
}
