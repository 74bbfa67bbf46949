import type { AppInfo } from '@contract'
import { AppFailure } from '../app-failure'
import type { DemoLab } from '../instances/demo-lab'
import type { InstanceRegistry } from '../instances/instance-registry'
import { startVmAction } from '../instances/vm-actions'
import type { Log } from '../log'
import { isHelpLink } from '../window/security'
import type { EventHub } from '../app-events/event-hub'
import type { Handlers } from './router'

/** What the handlers need: services, and the world outside plain Node (Electron in the app, fakes in tests). */
export interface HandlerDeps {
  appInfo: AppInfo
  /** Opens a URL in the system browser (Electron's `shell.openExternal`). */
  openExternal(url: string): Promise<void>
  hub: EventHub
  instances: InstanceRegistry
  demo: DemoLab
  log: Log
}

/** The method → service table. Handlers stay thin: validation happened in the router. */
export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    'app.info': async () => deps.appInfo,
    'app.openHelp': async ({ url }) => {
      if (!isHelpLink(url)) {
        throw new AppFailure(
          'invalid-input',
          'XO Desk only opens help pages from its documentation sites.',
          'Open the page yourself in a browser if you trust it.',
        )
      }
      await deps.openExternal(url)
      return undefined
    },
    'instances.list': async () => deps.instances.list(),
    'demo.open': () => deps.demo.open(),
    'demo.reset': () => deps.demo.reset(),
    'inventory.page': async ({ instanceId, ...query }) => {
      const { cache } = deps.instances.get(instanceId).live
      // The first page may be asked for before the initial read ends: wait for it, not for XO.
      if (!cache.synced) await cache.sync()
      return cache.page(query.collection, query)
    },
    'vms.action': (input, signal) =>
      startVmAction(deps.instances, deps.hub, deps.log, input, signal),
  }
}
