// tsoa's validation as XO 0.39.0 answers it: keys, wording and coercion
// (@tsoa/runtime 6.6.0, dist/routeGeneration/templateHelpers.js; @xen-orchestra/rest-api 0.39.0,
// dist/middlewares/tsoa-to-xo-error.middleware.mjs), checked on the spec's own request bodies.
import { describe, expect, it } from 'vitest'
import { OPERATIONS } from '../generated/operations'
import type { JsonSchema } from '../operation-spec'
import { checkStringParameter, validateBody, xoFieldErrors } from './tsoa-validation'
import type { FieldErrors } from './xo-errors'

function bodyOf(method: string, path: string): JsonSchema {
  const op = OPERATIONS.find((o) => o.method === method && o.path === path)
  if (!op?.body) throw new Error(`${method} ${path} takes no body`)
  return op.body.schema
}

/** The field map XO answers for a body, and what the controller would get. */
function validate(schema: JsonSchema, body: unknown): { errors: FieldErrors; value: unknown } {
  const errors: FieldErrors = {}
  const value = validateBody(schema, body, errors)
  return { errors: xoFieldErrors(errors), value }
}

describe('tsoa validation as XO answers it', () => {
  it('keys an array item by the array’s own name, not its path in the body', () => {
    expect(validate(bodyOf('PATCH', '/vms/{id}'), { tags: ['ok', 1] }).errors).toEqual({
      'tags.$1': { message: 'invalid string value', value: 1 },
    })
  })

  it('coerces as bodyCoercion does: numeric strings, "true", a lone value for an array', () => {
    const { errors, value } = validate(bodyOf('PATCH', '/vms/{id}'), {
      cpus: '4',
      autoPoweron: 'TRUE',
      tags: 'solo',
      videoram: '8',
    })
    expect(errors).toEqual({})
    expect(value).toEqual({ cpus: 4, autoPoweron: true, tags: ['solo'], videoram: 8 })
  })

  it('words a wrong optional property of a mapped alias as a failed union (T | undefined)', () => {
    // Unbrand_CreateNetworkBody_ is an alias: its optional `description` is `string | undefined`.
    const body = { name: 'net', pif: 'p', vlan: 1, description: 5 }
    expect(validate(bodyOf('POST', '/pools/{id}/actions/create_network'), body).errors).toEqual({
      'body.description': { message: 'Value does not match any allowed schema', value: 5 },
    })
    // UpdateVdiRequestBody is an interface: its optional `name_label` is a plain string.
    expect(validate(bodyOf('PATCH', '/vdis/{id}'), { name_label: 5 }).errors).toEqual({
      'body.name_label': { message: 'invalid string value', value: 5 },
    })
  })

  it('fills in defaults and checks bounds with tsoa’s words', () => {
    const schema = bodyOf('POST', '/pools/{id}/actions/create_network')
    const { errors, value } = validate(schema, { name: 'net', pif: 'p', vlan: 5000 })
    expect(errors).toEqual({ 'body.vlan': { message: 'max 4094', value: 5000 } })
    expect(validate(schema, { name: 'net', pif: 'p', vlan: 5 }).value).toMatchObject({ mtu: 1500 })
    expect(value).toBeUndefined()
  })

  it('refuses an excess property of an intersection body with the combinations it could match', () => {
    const body = { VM: 'vm', VDI: 'vdi', excess: true }
    const { errors } = validate(bodyOf('POST', '/vbds'), body)
    expect(Object.keys(errors)).toEqual(['body'])
    expect(errors['body']).toEqual({
      message: expect.stringMatching(
        /^Could not match intersection against any of the possible combinations: \[\[.*"VM".*\]\]$/,
      ),
      value: body,
    })
  })

  it('quotes only string members when a single literal does not match', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['fast'] },
        level: { type: 'number', enum: [3] },
      },
    }
    expect(validate(schema, { mode: 'slow', level: 4 }).errors).toEqual({
      'body.mode': { message: "should be one of the following; ['fast']", value: 'slow' },
      'body.level': { message: 'should be one of the following; [3]', value: 4 },
    })
  })

  it('checks query values with the same words: booleans, numbers, a union of literals', () => {
    const errors: FieldErrors = {}
    const problems = {
      ndjson: checkStringParameter('', { type: 'boolean' }),
      limit: checkStringParameter(' 5', { type: 'number' }),
      granularity: checkStringParameter('weeks', { type: 'string', enum: ['seconds', 'hours'] }),
    }
    for (const [name, problem] of Object.entries(problems)) if (problem) errors[name] = problem
    expect(xoFieldErrors(errors)).toEqual({
      ndjson: { message: 'invalid boolean value', value: '' },
      limit: { message: 'invalid float number', value: ' 5' },
      granularity: { message: 'Value does not match any allowed schema', value: 'weeks' },
    })
    expect(checkStringParameter('TRUE', { type: 'boolean' })).toBeUndefined()
  })
})
