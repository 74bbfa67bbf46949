// The committed files generated from XO's spec match the spec: regenerate with
// `npm run spec:types` and `npm run docs:simulator` when a test here fails.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPERATIONS } from '../src-main/simulator/generated/operations'
import { operationKey } from '../src-main/simulator/http/route-table'
import { createHandlerTable } from '../src-main/simulator/routes'
import {
  generateManifest,
  generatePrivileges,
  generateTypes,
  MANIFEST_OUT,
  PRIVILEGES_OUT,
  TYPES_OUT,
} from './spec-generate'
import { DOCS_PATH, renderSimulatorDocs } from './simulator-docs'
import { loadSpec } from './xo-spec'

const spec = loadSpec()

describe('files generated from the spec', () => {
  it('has a route manifest that matches the published spec', () => {
    expect(readFileSync(MANIFEST_OUT, 'utf8')).toBe(generateManifest(spec))
  })

  it('has the client a privilege table that matches the published spec', () => {
    expect(readFileSync(PRIVILEGES_OUT, 'utf8')).toBe(generatePrivileges(spec))
  })

  it('has XO types that match the published spec', async () => {
    expect(readFileSync(TYPES_OUT, 'utf8')).toBe(await generateTypes(spec))
  }, 30_000)

  it('has docs/simulator.md listing every operation as the simulator serves it', () => {
    expect(readFileSync(DOCS_PATH, 'utf8')).toBe(renderSimulatorDocs())
  })
})

describe('simulator coverage', () => {
  it('serves every one of the spec operations', () => {
    const inSpec = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(inSpec.length).toBe(271)
    expect(OPERATIONS.map(operationKey).sort()).toEqual(inSpec.sort())
    expect(createHandlerTable().missing()).toEqual([])
  })
})
