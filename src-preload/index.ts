// The whole Electron surface of the renderer: a sandboxed, CommonJS preload (a sandboxed preload
// cannot load ES modules: https://www.electronjs.org/docs/latest/tutorial/esm).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { createBridge } from './bridge'
import { CONSOLE_CHANNEL, EVENT_CHANNEL, INVOKE_CHANNEL } from './contract'

/** The DOM MessagePort Electron's typings name (the preload is type-checked without the DOM). */
type DomPort = NonNullable<Parameters<typeof ipcRenderer.postMessage>[2]>[number]

contextBridge.exposeInMainWorld(
  'xo',
  createBridge(
    {
      invoke: (method, input) => ipcRenderer.invoke(INVOKE_CHANNEL, method, input),
      listen: (listener) => {
        const handler = (_e: IpcRendererEvent, name: string, payload: unknown): void =>
          listener(name, payload)
        ipcRenderer.on(EVENT_CHANNEL, handler)
        return () => ipcRenderer.off(EVENT_CHANNEL, handler)
      },
      // The port goes to main itself (transferred): its bytes never pass through invoke.
      attachConsole: (consoleId, port) =>
        ipcRenderer.postMessage(CONSOLE_CHANNEL, { consoleId }, [port as unknown as DomPort]),
    },
    // A dropped File carries no path in the page since Electron 32: the preload reads it.
    (file) => webUtils.getPathForFile(file),
  ),
)
