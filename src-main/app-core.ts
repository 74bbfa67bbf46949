import type { AppInfo } from '@contract'
import { DemoLab } from './instances/demo-lab'
import { InstanceRegistry } from './instances/instance-registry'
import { EventHub } from './app-events/event-hub'
import { createHandlers } from './ipc/handlers'
import { createRouter, type Dispatch } from './ipc/router'
import { schemas } from './ipc/schemas'
import type { SimulatorOptions } from './simulator'
import { consoleLog, type Log } from './log'
import { MemoryVault } from './vault/memory-vault'

export interface AppCoreOptions {
  appInfo: AppInfo
  openExternal(url: string): Promise<void>
  /** How often main says it is alive; 0 turns the heartbeat off. */
  heartbeatMs?: number
  /** How the Demo lab's simulator runs (tests make its actions quick and its life quiet). */
  demoLab?: SimulatorOptions
  /** Where main's log lines go (stderr by default). */
  log?: Log
}

/** Everything main does, without Electron: the same core serves the app, the e2e harness and tests. */
export interface AppCore {
  dispatch: Dispatch
  hub: EventHub
  instances: InstanceRegistry
  demo: DemoLab
  dispose(): Promise<void>
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const hub = new EventHub()
  const instances = new InstanceRegistry()
  // The Demo lab's token lives in memory; real instances' tokens go to the OS keychain.
  const log = options.log ?? consoleLog
  const demo = new DemoLab(instances, new MemoryVault(), hub, log, options.demoLab)
  const dispatch = createRouter(
    createHandlers({
      appInfo: options.appInfo,
      openExternal: options.openExternal,
      hub,
      log,
      instances,
      demo,
    }),
    schemas,
  )

  let sequence = 0
  const heartbeatMs = options.heartbeatMs ?? 5_000
  const timer =
    heartbeatMs > 0
      ? setInterval(
          () => hub.publish('app.heartbeat', { at: Date.now(), sequence: ++sequence }),
          heartbeatMs,
        )
      : undefined
  timer?.unref()

  return {
    dispatch,
    hub,
    instances,
    demo,
    async dispose() {
      clearInterval(timer)
      await instances.closeAll()
      await demo.close()
    },
  }
}
