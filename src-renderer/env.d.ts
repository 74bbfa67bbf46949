/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { XoBridge } from '@contract'

declare global {
  interface Window {
    /** The bridge to main, exposed by the preload (or by the e2e shim). */
    readonly xo: XoBridge
  }
}
