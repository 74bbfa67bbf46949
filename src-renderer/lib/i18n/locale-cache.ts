import {
  getLocale,
  overwriteGetLocale,
  overwriteSetLocale,
  setLocale,
} from '../../paraglide/runtime.js'

/**
 * Keeps the resolved language instead of resolving it on every message. paraglide's `getLocale`
 * reads `window.location.href` (for route strategies this app does not use) each time it is
 * called, and every message and number format calls it: a scrolled table formats thousands of
 * cells a second, and measured in Chromium that read was the page's largest cost while scrolling
 * (docs/benchmarks.md). The language changes only through `setLocale`, which keeps this in step.
 */
export function cacheLocale(): void {
  let current = getLocale()
  const resolve = setLocale
  overwriteGetLocale(() => current)
  overwriteSetLocale((locale, options) => {
    // paraglide's own setLocale first: it compares with getLocale(), which must still be the old one.
    const done = resolve(locale, options)
    current = locale
    return done
  })
}
