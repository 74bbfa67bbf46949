// Checks on what `npm run build` produced (npm test builds before it runs Vitest).
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { RENDERER_CSP } from '../src-main/window/security'

const out = (p: string): string => join(import.meta.dirname, '..', 'out', p)
const read = (p: string): string => readFileSync(out(p), 'utf8')

describe.runIf(existsSync(out('renderer/index.html')))('the built app', () => {
  const rendererFiles = readdirSync(out('renderer/assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => out(`renderer/assets/${f}`))
  const rendererJs = rendererFiles.map((f) => readFileSync(f, 'utf8')).join('\n')

  it('has a renderer bundle with no import of Node built-ins, undici or electron', async () => {
    // esbuild lists every import the bundle still makes; each would be a module the page cannot load.
    const { metafile } = await build({
      entryPoints: rendererFiles,
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      external: ['*'],
      logLevel: 'silent',
    })
    const imports = Object.values(metafile.inputs).flatMap((input) =>
      input.imports.map((i) => i.path),
    )
    expect(imports.filter((path) => !path.startsWith('./') && !path.startsWith('../'))).toEqual([])
    expect(rendererJs).not.toMatch(/["']node:[a-z_/]+["']/)
    expect(rendererJs).not.toMatch(/undici/)
    expect(rendererJs).not.toMatch(/ipcRenderer|["']electron["']/)
  })

  it('ships the renderer with the CSP main declares: no connect-src, no remote host', () => {
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(
      read('renderer/index.html'),
    )?.[1]
    expect(csp).toBe(RENDERER_CSP)
  })

  it('has a single CommonJS preload whose only require is electron (sandbox: true)', () => {
    const preload = read('preload/index.cjs')
    const required = new Set([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]))
    expect([...required]).toEqual(['electron'])
    expect(readdirSync(out('preload'))).toEqual(['index.cjs'])
  })

  it('keeps electron out of the command-line bundle, so `npx xo-desk` runs without Electron', () => {
    expect(read('main/cli.js')).not.toMatch(/from ["']electron["']/)
  })
})
