// Wires a page running the preload stand-in (e2e/shim/entry.ts) to an app core: the renderer's
// invokes through a Playwright binding, main's events through page.evaluate. Every message
// crosses as JSON text that the page parses natively, as Electron's IPC hands the renderer a
// natively made structured clone; Playwright's own value serialization is rebuilt value by value
// in script in the page, which cost the frame benchmarks about a frame per 200-row window read
// (docs/benchmarks.md) and is not what the app pays.
import type { Page } from '@playwright/test'
import type { EventHub } from '../../src-main/app-events/event-hub'
import type { ConsolePort } from '../../src-main/console/console-port'

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

/** What the harness needs of main's console service. */
export interface ConsoleAttacher {
  attach(consoleId: string, port: ConsolePort): void
}

/**
 * The console pipes of the page (the shim's `attachConsole`), relayed to `consoles` as main's
 * ports: RFB bytes as base64 text both ways (a MessagePort cannot leave the page), notices as
 * JSON. Stands in for Electron's transferred MessagePortMain.
 */
export async function exposeConsoles(page: Page, consoles: ConsoleAttacher): Promise<void> {
  const pipes = new Map<string, { message: ((d: unknown) => void)[]; close: (() => void)[] }>()
  const deliver = (consoleId: string, kind: 'bytes' | 'notice' | 'close', data?: string): void =>
    void page
      .evaluate(
        ([id, k, d]) =>
          (
            globalThis as unknown as {
              __xoConsoleDeliver(id: string, kind: string, data: string | undefined): void
            }
          ).__xoConsoleDeliver(id, k, d),
        [consoleId, kind, data] as const,
      )
      .catch(() => undefined) // the page may be closing
  await page.exposeBinding('__xoConsoleAttach', (_source, consoleId: string) => {
    const pipe = { message: [] as ((d: unknown) => void)[], close: [] as (() => void)[] }
    pipes.set(consoleId, pipe)
    consoles.attach(consoleId, {
      post: (message) =>
        message instanceof ArrayBuffer
          ? deliver(consoleId, 'bytes', Buffer.from(message).toString('base64'))
          : deliver(consoleId, 'notice', JSON.stringify(message)),
      onMessage: (listener) => void pipe.message.push(listener),
      onClose: (listener) => void pipe.close.push(listener),
      close: () => {
        pipes.delete(consoleId)
        deliver(consoleId, 'close')
      },
    })
  })
  await page.exposeBinding('__xoConsoleSend', (_source, consoleId: string, base64: string) => {
    const bytes = new Uint8Array(Buffer.from(base64, 'base64'))
    for (const listener of pipes.get(consoleId)?.message ?? []) listener(bytes)
  })
  await page.exposeBinding('__xoConsoleClosed', (_source, consoleId: string) => {
    const pipe = pipes.get(consoleId)
    pipes.delete(consoleId)
    for (const listener of pipe?.close ?? []) listener()
  })
}
