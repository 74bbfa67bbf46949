import type { XoBridge } from '@contract'

/** The bridge to main. Components use the state managers; managers use this. */
export function bridge(): XoBridge {
  return window.xo
}
