import { resolve } from 'node:path'

/** The built renderer, as `npm run build` leaves it. */
export const RENDERER_DIR = resolve('out/renderer')
/** The bundled preload stand-in, written by global-setup. */
export const SHIM_BUNDLE = resolve('.cache/e2e/shim.js')
