import type { AppInfo } from '@contract'
import { EventHub } from './ipc/event-hub'
import { createHandlers } from './ipc/handlers'
import { createRouter, type Dispatch } from './ipc/router'
import { schemas } from './ipc/schemas'

export interface AppCoreOptions {
  appInfo: AppInfo
  openExternal(url: string): Promise<void>
  /** How often main says it is alive; 0 turns the heartbeat off. */
  heartbeatMs?: number
}

/** Everything main does, without Electron: the same core serves the app, the e2e harness and tests. */
export interface AppCore {
  dispatch: Dispatch
  hub: EventHub
  dispose(): Promise<void>
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const hub = new EventHub()
  const dispatch = createRouter(createHandlers(options), schemas)

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
    async dispose() {
      clearInterval(timer)
    },
  }
}
