// Wires a page running the preload stand-in (e2e/shim/entry.ts) to an app core: the renderer's
// invokes through a Playwright binding, main's events through page.evaluate. Every message
// crosses as JSON text that the page parses natively, as Electron's IPC hands the renderer a
// natively made structured clone; Playwright's own value serialization is rebuilt value by value
// in script in the page, which cost the frame benchmarks about a frame per 200-row window read
// (docs/benchmarks.md) and is not what the app pays.
import type { Page } from '@playwright/test'
import type { EventHub } from '../../src-main/app-events/event-hub'

export type PageDispatch = (method: unknown, input: unknown) => Promise<unknown>

/** Answers the page's `window.__xoInvoke(method, input)` with `dispatch`, as JSON text. */
export async function exposeInvoke(page: Page, dispatch: PageDispatch): Promise<void> {
  await page.exposeBinding('__xoInvoke', async (_source, method: unknown, input: unknown) =>
    JSON.stringify(await dispatch(method, input)),
  )
}

/**
 * Delivers each event published on `hub` to the page (`window.__xoDeliver(name, json)`), and
 * returns the unsubscribe function. `seen` is told of each event first.
 */
export function deliverEvents(
  page: Page,
  hub: Pick<EventHub, 'subscribe'>,
  seen: (name: string, payload: unknown) => void = () => undefined,
): () => void {
  return hub.subscribe((name, payload) => {
    seen(name, payload)
    page
      .evaluate(
        ([n, json]) =>
          (
            globalThis as unknown as { __xoDeliver(n: string, json: string | undefined): void }
          ).__xoDeliver(n, json),
        [name, JSON.stringify(payload)] as const,
      )
      // The page may be closing; events to a closed window are dropped as in Electron.
      .catch(() => undefined)
  })
}
