// Stand-in for src-preload/index.ts in the browser harness: the SAME createBridge, over a
// Playwright binding instead of Electron IPC. Only the contextBridge call differs.
import { createBridge } from '../../src-preload/bridge'

interface HarnessWindow {
  /** Main's answer as JSON text (e2e/harness/page-bridge.ts). */
  __xoInvoke(method: string, input: unknown): Promise<string>
  /** The folder a spec put the files it drops in (set with page.evaluate). */
  __xoDropFolder?: string
  /** A console's pipe, byte for byte as base64 (e2e/harness/page-bridge.ts `exposeConsoles`). */
  __xoConsoleAttach(consoleId: string): Promise<void>
  __xoConsoleSend(consoleId: string, base64: string): Promise<void>
  __xoConsoleClosed(consoleId: string): Promise<void>
}

// The harness's end of each console pipe; main's side is reached through the bindings above.
const consolePorts = new Map<string, MessagePort>()
const toBase64 = (data: ArrayBuffer | Uint8Array): string => {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data)
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}
const fromBase64 = (text: string): ArrayBuffer => {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes.buffer
}
Object.defineProperty(window, '__xoConsoleDeliver', {
  value: (consoleId: string, kind: string, data: string | undefined) => {
    const port = consolePorts.get(consoleId)
    if (!port) return
    if (kind === 'bytes' && data !== undefined) port.postMessage(fromBase64(data))
    else if (kind === 'notice' && data !== undefined) port.postMessage(JSON.parse(data))
    else if (kind === 'close') {
      consolePorts.delete(consoleId)
      port.close()
    }
  },
})

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
      attachConsole: (consoleId, port) => {
        consolePorts.set(consoleId, port)
        port.onmessage = (e: MessageEvent) => {
          if (e.data instanceof ArrayBuffer || e.data instanceof Uint8Array)
            void harness.__xoConsoleSend(consoleId, toBase64(e.data))
        }
        // A closed page port says so in Chromium (the "close" event of MessagePort).
        port.addEventListener('close', () => void harness.__xoConsoleClosed(consoleId))
        void harness.__xoConsoleAttach(consoleId)
      },
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
