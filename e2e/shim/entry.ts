// Stand-in for src-preload/index.ts in the browser harness: the SAME createBridge, over a
// Playwright binding instead of Electron IPC. Only the contextBridge call differs.
import { createBridge } from '../../src-preload/bridge'

interface HarnessWindow {
  __xoInvoke(method: string, input: unknown): Promise<unknown>
}

const listeners = new Set<(event: string, payload: unknown) => void>()
const harness = window as unknown as HarnessWindow

// Main's events arrive here (fixtures.ts calls it with page.evaluate), as ipcRenderer.on would deliver them.
Object.defineProperty(window, '__xoDeliver', {
  value: (event: string, payload: unknown) =>
    listeners.forEach((listener) => listener(event, payload)),
})

Object.defineProperty(window, 'xo', {
  value: createBridge({
    invoke: (method, input) => harness.__xoInvoke(method, input),
    listen: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }),
})
