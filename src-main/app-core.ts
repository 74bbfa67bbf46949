import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AppInfo } from '@contract'
import { ConfigStore } from './instances/config-store'
import { connectInstance } from './instances/connect'
import { Connections, detailsOf } from './instances/connections'
import { DemoLab } from './instances/demo-lab'
import { InstanceRegistry } from './instances/instance-registry'
import { InventorySnapshots } from './inventory/inventory-snapshot'
import { MemorySecretStore, type SecretStore } from './vault/keychain'
import { EventHub } from './app-events/event-hub'
import { createHandlers } from './ipc/handlers'
import { createRouter, type Dispatch } from './ipc/router'
import { schemas } from './ipc/schemas'
import type { SimulatorOptions } from './simulator'
import { toAppError } from './app-failure'
import { AuditLog } from './audit/audit-log'
import { consoleLog, type Log } from './log'
import { MemoryVault } from './vault/memory-vault'
import { Library } from './library/library'
import { TransferQueue } from './transfers/transfer-queue'
import { DeskTasks } from './tasks/desk-tasks'
import { AppSettingsStore } from './app-settings/app-settings'
import { ConsoleService } from './console/console-service'

export interface AppCoreOptions {
  appInfo: AppInfo
  openExternal(url: string): Promise<void>
  /** How often main says it is alive; 0 turns the heartbeat off. */
  heartbeatMs?: number
  /** How the Demo lab's simulator runs (tests make its actions quick and its life quiet). */
  demoLab?: SimulatorOptions
  /** Where main's log lines go (stderr by default). */
  log?: Log
  /**
   * Where the admin's instances are kept: the settings folder and the OS keychain. Without it
   * (tests, the e2e harness), a throwaway folder and memory, so no run touches a real setup.
   */
  storage?: { configDir: string; secrets: SecretStore }
  /**
   * Start the Demo lab's simulator in the background when no instance is saved (the welcome
   * screen then offers the lab), so that opening it is quick. Default true.
   */
  prepareDemoLab?: boolean
  /** Shows a file in the system's file manager (Electron's `shell.showItemInFolder`). */
  showItemInFolder?(path: string): void
  /**
   * Opens another app window on a renderer route (a console's own window); Electron makes a
   * BrowserWindow, the e2e harness a page. Without it, the request does nothing.
   */
  openWindow?(route: string): void
  /** The library's root, a folder per instance for exports (default: `Library` in the config folder). */
  libraryDir?: string
}

/** Everything main does, without Electron: the same core serves the app, the e2e harness and tests. */
export interface AppCore {
  dispatch: Dispatch
  hub: EventHub
  instances: InstanceRegistry
  connections: Connections
  demo: DemoLab
  /** The audit log of mutating requests, in the config folder. */
  audit: AuditLog
  /** The VM consoles main relays; the window's glue hands it each console's port. */
  consoles: ConsoleService
  /** Exports, imports and moves, whatever the window shows. */
  transfers: TransferQueue
  library: Library
  dispose(): Promise<void>
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const hub = new EventHub()
  const instances = new InstanceRegistry()
  // The Demo lab's token lives in memory; real instances' tokens go to the OS keychain.
  const log = options.log ?? consoleLog
  const demo = new DemoLab(instances, new MemoryVault(), hub, log, options.demoLab)
  const throwaway = options.storage ? undefined : mkdtempSync(join(tmpdir(), 'xo-desk-core-'))
  // Real instances' tokens: read from the keychain at start, then held in memory in main.
  const tokens = new MemoryVault()
  const configDir = options.storage?.configDir ?? throwaway ?? ''
  // Each saved instance's last known inventory, so the app opens on it at once, even offline.
  const snapshots = new InventorySnapshots(join(configDir, 'inventory'), log)
  const connections = new Connections({
    store: new ConfigStore(configDir),
    secrets: options.storage?.secrets ?? new MemorySecretStore(),
    tokens,
    log,
    live: {
      registry: instances,
      forget: (id) => snapshots.remove(id),
      open: async (config) =>
        connectInstance({
          id: config.id,
          label: config.name,
          kind: 'xo',
          url: config.url,
          vault: tokens,
          trust: config.trust,
          hub,
          log,
          snapshot: { store: snapshots, saved: await snapshots.read(config.id) },
          details: detailsOf(config),
        }),
    },
  })
  const audit = new AuditLog(options.storage?.configDir ?? throwaway ?? '', log)
  const library = new Library({
    root: options.libraryDir ?? join(configDir, 'Library'),
    log,
    onChange: () => hub.publish('library.changed', undefined),
  })
  const transfers = new TransferQueue({
    log,
    publish: (view) => {
      hub.publish('transfer.updated', view)
      hub.publish('transfer.totals', transfers.totals())
      // A finished export is a new file in the library.
      if (view.state === 'done' && view.direction === 'export')
        hub.publish('library.changed', undefined)
    },
  })
  const tasks = new DeskTasks((task) => hub.publish('desk.task', task))
  const consoles = new ConsoleService({ instances, audit, log })
  // The admin's choices of library folder and transfer limits, applied once read.
  const settings = new AppSettingsStore(configDir, log)
  const settled = settings.read().then((saved) => {
    if (saved.libraryDir) library.setRoot(saved.libraryDir)
    if (saved.transfers) transfers.configure(saved.transfers)
  })
  const started = connections.start().catch((err: unknown) => [toAppError(err, log)])
  if (options.prepareDemoLab !== false) {
    void started.then(() => {
      if (connections.configs.length === 0) demo.prepare()
    })
  }
  const dispatch = createRouter(
    createHandlers({
      appInfo: options.appInfo,
      openExternal: options.openExternal,
      hub,
      log,
      instances,
      connections,
      notices: async () => {
        await settled
        return started
      },
      demo,
      audit,
      transfers,
      library,
      settings,
      tasks,
      consoles,
      openWindow: options.openWindow ?? (() => undefined),
      showItemInFolder: options.showItemInFolder ?? (() => undefined),
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
    connections,
    demo,
    audit,
    transfers,
    library,
    consoles,
    async dispose() {
      clearInterval(timer)
      await transfers.dispose() // no part file outlives the app
      await started
      await settled
      await instances.closeAll()
      await demo.close()
      await audit.flush() // the last appends land before a throwaway folder goes
      if (throwaway) rmSync(throwaway, { recursive: true, force: true })
    },
  }
}
