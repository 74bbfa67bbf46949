import { build } from 'esbuild'
import { SHIM_BUNDLE } from './harness/paths'

/** Bundles the preload stand-in (the real bridge over a Playwright binding) for addInitScript. */
export default async function globalSetup(): Promise<void> {
  await build({
    entryPoints: ['e2e/shim/entry.ts'],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outfile: SHIM_BUNDLE,
    logLevel: 'warning',
  })
}
