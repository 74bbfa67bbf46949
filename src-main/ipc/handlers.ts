import type { AppError, AppInfo, InstanceSummary } from '@contract'
import { AppFailure } from '../app-failure'
import type { Connections } from '../instances/connections'
import type { DemoLab } from '../instances/demo-lab'
import { summaryOf, type InstanceRegistry } from '../instances/instance-registry'
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
  /** The admin's own instances: settings, keychain, connections. */
  connections: Connections
  /** What could not be read at start, once it is known. */
  notices: () => Promise<AppError[]>
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
    'instances.notices': () => deps.notices(),
    'instances.inspect': ({ address }, signal) => deps.connections.inspect(address, signal),
    'instances.add': async (input, signal) =>
      summary(deps, (await deps.connections.add(input, signal)).id),
    'instances.remove': async ({ instanceId }) => {
      await deps.connections.remove(instanceId)
      return undefined
    },
    'instances.trust': async ({ instanceId, fingerprint256 }) =>
      summary(
        deps,
        (await deps.connections.retrust(instanceId, { kind: 'pinned', fingerprint256 })).id,
      ),
    'instances.signIn': async ({ instanceId, signIn }, signal) =>
      summary(deps, (await deps.connections.signInAgain(instanceId, signIn, signal)).id),
    'demo.open': () => deps.demo.open(),
    'demo.reset': () => deps.demo.reset(),
    'inventory.page': async ({ instanceId, ...query }, signal) => {
      const { live } = deps.instances.get(instanceId)
      // The first pages may be asked for before the first read ends: they all wait for that one
      // read, and answer with its data.
      await live.ready(signal)
      return live.cache.page(query.collection, query)
    },
    'vms.action': (input, signal) => {
      refuseIfReadOnly(deps.instances, input.instanceId)
      return startVmAction(deps.instances, deps.hub, deps.log, input, signal)
    },
  }
}

function summary(deps: HandlerDeps, id: string): InstanceSummary {
  return summaryOf(deps.instances.get(id))
}

/**
 * Read-only is enforced here, in main, for every mutating request: a renderer that shows the
 * button anyway (or a compromised one) still changes nothing.
 */
function refuseIfReadOnly(instances: InstanceRegistry, id: string): void {
  const instance = instances.get(id)
  if (instance.details?.readOnly) {
    throw new AppFailure(
      'forbidden',
      `${instance.label} is read-only in XO Desk: it changes nothing there.`,
      'Turn read-only off for this instance to act on it.',
    )
  }
}
