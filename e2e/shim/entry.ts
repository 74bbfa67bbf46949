// Stand-in for src-preload/index.ts in the browser harness: the SAME createBridge, over a
// Playwright binding instead of Electron IPC. Only the contextBridge call differs.
import { createBridge } from '../../src-preload/bridge'

interface HarnessWindow {
  /** Main's answer as JSON text (e2e/harness/page-bridge.ts). */
  __xoInvoke(method: string, input: unknown): Promise<string>
  /** The folder a spec put the files it drops in (set with page.evaluate). */
  __xoDropFolder?: string
}

const listeners = new Set<(event: string, payload: unknown) => void>()
const harness = window as unknown as HarnessWindow

// Main's events arrive here as JSON text (e2e/harness/page-bridge.ts), as ipcRenderer.on would
// deliver them.
Object.defineProperty(window, '__xoDeliver', {
  value: (event: string, json: string | undefined) => {
    // Events without a payload (`library.changed`) come as undefined: JSON has no text for it.
    const payload: unknown = json === undefined ? undefined : JSON.parse(json)
    listeners.forEach((listener) => listener(event, payload))
  },
})

Object.defineProperty(window, 'xo', {
  value: createBridge(
    {
      invoke: async (method, input) => JSON.parse(await harness.__xoInvoke(method, input)),
      listen: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    },
    // FAKE, named as such: a browser gives a dropped File no path, and Electron's webUtils does not
    // exist here. The harness maps the file's name into the folder where the spec created it.
    (file) => (harness.__xoDropFolder ? `${harness.__xoDropFolder}/${file.name}` : ''),
  ),
})
