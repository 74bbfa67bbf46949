import { access, constants, mkdir, stat } from 'node:fs/promises'
import type { ConsoleService } from '../console/console-service'
import { basename, isAbsolute } from 'node:path'
import type { AppSettingsStore } from '../app-settings/app-settings'
import type { AppError, AppInfo, InstanceSummary, InventoryPage, VmActionInput } from '@contract'
import { AppFailure } from '../app-failure'
import type { AuditLog } from '../audit/audit-log'
import type { Connections } from '../instances/connections'
import type { DemoLab } from '../instances/demo-lab'
import { refusedVmActions } from '../instances/instance-account'
import { summaryOf, type Instance, type InstanceRegistry } from '../instances/instance-registry'
import { startVmAction, vmNameOf } from '../instances/vm-actions'
import { pageAcross, sourceOf } from '../inventory/cross-instance'
import { pick } from '../inventory/inventory-cache'
import { BROWSABLE_COLLECTIONS, type ObjectCounts } from '@contract'
import { consoleRoute } from '../console/console-route'
import { readObjectDetails } from '../objects/object-details'
import { readObjectStats } from '../stats/object-stats'
import { readMissingPatches } from '../objects/missing-patches'
import type { DeskTasks } from '../tasks/desk-tasks'
import { objectHandlers } from './object-handlers'
import type { Log } from '../log'
import { isHelpLink } from '../window/security'
import type { EventHub } from '../app-events/event-hub'
import type { Handlers } from './router'
import {
  audited,
  ending,
  refusedUnless,
  refuseIfOffline,
  refuseIfReadOnly,
  type Subject,
} from './guards'
import type { TransferJob, TransferQueue } from '../transfers/transfer-queue'
import { exportChoices } from '../transfers/export-choices'
import { inspectImage } from '../transfers/validate'
import { toContents, type Library } from '../library/library'
import {
  exportJob,
  importJob,
  moveJob,
  importSourcePath,
  droppedFile,
  droppedFormat,
} from '../transfers/transfer-jobs'

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
  /** Where every mutating request is recorded. */
  audit: AuditLog
  /** Exports, imports and moves, run in main whatever the window shows. */
  transfers: TransferQueue
  /** The folder per instance where exports land, read with no server. */
  library: Library
  /** Shows a file in the system's file manager (Electron's `shell.showItemInFolder`). */
  showItemInFolder(path: string): void
  /** Where the library folder and the transfer settings are kept. */
  settings: AppSettingsStore
  /** The actions XO Desk started, for the Tasks panel. */
  tasks: DeskTasks
  /** The VM consoles main relays. */
  consoles: ConsoleService
  /** Opens an app window on a renderer route (Electron: a BrowserWindow of its own). */
  openWindow(route: string): void
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
    // After the saved instances are opened (from their snapshots: quick), so a start shows them.
    'instances.list': async () => {
      await deps.notices()
      return deps.instances.list(deps.connections.configs.map((c) => c.id))
    },
    'instances.notices': () => deps.notices(),
    'instances.inspect': ({ address }, signal) => deps.connections.inspect(address, signal),
    'instances.add': (input, signal) =>
      audited(
        deps,
        onInstance(deps, 'instances.add', '', input.name.trim()),
        async () => summary(deps, (await deps.connections.add(input, signal)).id),
        (added) => onInstance(deps, 'instances.add', added.id, added.label),
      ),
    'instances.remove': ({ instanceId }) =>
      audited(deps, onInstance(deps, 'instances.remove', instanceId), async () => {
        await deps.connections.remove(instanceId)
        return undefined
      }),
    'instances.trust': ({ instanceId, fingerprint256 }) =>
      audited(deps, onInstance(deps, 'instances.trust', instanceId), async () =>
        summary(
          deps,
          (await deps.connections.retrust(instanceId, { kind: 'pinned', fingerprint256 })).id,
        ),
      ),
    'instances.signIn': ({ instanceId, signIn }, signal) =>
      audited(deps, onInstance(deps, 'instances.signIn', instanceId), async () =>
        summary(deps, (await deps.connections.signInAgain(instanceId, signIn, signal)).id),
      ),
    'instances.update': ({ instanceId, patch }) =>
      audited(deps, onInstance(deps, 'instances.update', instanceId), async () =>
        summary(deps, (await deps.connections.update(instanceId, patch)).id),
      ),
    'instances.reorder': ({ instanceIds }) =>
      audited(deps, onInstance(deps, 'instances.reorder', '', 'All instances'), async () => {
        const saved = await deps.connections.reorder(instanceIds)
        return deps.instances.list(saved.map((c) => c.id))
      }),
    'instances.certificates': (_input, signal) => deps.connections.certificates(signal),
    'demo.open': () => deps.demo.open(),
    'demo.reset': () => deps.demo.reset(),
    'inventory.page': async ({ instanceId, ...query }, signal) => {
      const { live } = deps.instances.get(instanceId)
      // The first pages may be asked for before the first read ends: they all wait for that one
      // read, and answer with its data.
      await live.ready(signal, collectionsFor(query))
      // Refusals read the whole cached VM; the answer then keeps only the fields asked for.
      const { fields, ...whole } = query
      const page = live.cache.page(query.collection, whole)
      const shown =
        query.collection === 'vms' ? withRefusals(deps.instances.get(instanceId), page) : page
      return fields
        ? { ...shown, items: shown.items.map((o) => pick(o, [...fields, '$refused'])) }
        : shown
    },
    'inventory.counts': async ({ instanceId }, signal) => {
      const { live } = deps.instances.get(instanceId)
      await live.ready(signal)
      const counts: ObjectCounts = {}
      for (const collection of BROWSABLE_COLLECTIONS)
        counts[collection] = live.cache.count(collection)
      return counts
    },
    'objects.details': (ref, signal) =>
      readObjectDetails(deps.instances.get(ref.instanceId), ref, signal),
    'objects.stats': (input, signal) =>
      readObjectStats(deps.instances.get(input.instanceId).client, input, signal),
    'console.open': (input, signal) => deps.consoles.open(input, signal),
    'console.detach': async (target) => {
      // Only an instance this main knows: the window would show nothing else.
      deps.instances.get(target.instanceId)
      deps.openWindow(consoleRoute(target))
      return undefined
    },
    'console.close': async ({ consoleId }) => {
      deps.consoles.close(consoleId)
      return undefined
    },
    'objects.patches': ({ instanceId, id }, signal) =>
      readMissingPatches(deps.instances.get(instanceId), id, signal),
    ...objectHandlers(deps),
    // Every instance at once: one that is unreachable or still reading is reported, not awaited.
    'inventory.pageAll': (query, signal) =>
      pageAcross(
        deps.instances.list().map(({ id }) => sourceOf(deps.instances.get(id))),
        query,
        signal,
      ),
    'vms.action': async (input, signal) => {
      const subject = onVm(deps, input)
      await refusedUnless(deps, subject, () => {
        refuseIfReadOnly(deps.instances, input.instanceId)
        refuseIfOffline(deps.instances, input.instanceId)
        refuseWithoutPrivilege(deps.instances, input.instanceId, input.vmId, input.action)
        refuseUnconfirmed(deps.instances, input)
      })
      // `started` is recorded before the task can end: following it needs a request to XO.
      return audited(
        deps,
        subject,
        () =>
          startVmAction(
            deps.instances,
            deps.hub,
            deps.log,
            deps.tasks,
            input,
            signal,
            ({ taskId, error }) => {
              void deps.audit.record({ ...subject, taskId, ...ending(error) })
            },
          ),
        ({ taskId }) => ({ outcome: 'started', taskId }),
      )
    },
    'audit.list': (query) => deps.audit.list(query),
    'audit.export': ({ format }) => deps.audit.export(format),
    'transfers.exportChoices': ({ instanceId, vmId }, signal) =>
      exportChoices(deps.instances.get(instanceId).client, vmId, signal),
    'transfers.list': async () => deps.transfers.list(),
    // An export changes nothing on XO: not audited; it needs the instance, not its stream.
    'transfers.export': async (input) =>
      deps.transfers.add(exportJob(deps.instances.get(input.instanceId), deps.library, input)),
    'transfers.import': async (input) => {
      const instance = deps.instances.get(input.instanceId)
      const file = await importSourcePath(deps.library, input.source)
      const subject: Subject = {
        instance: { id: instance.id, name: instance.label },
        object: {
          collection:
            input.target.kind === 'vm' ? 'pools' : input.target.kind === 'new-vdi' ? 'srs' : 'vdis',
          id: input.target.kind === 'existing-vdi' ? input.target.vdi : input.target.sr,
          name: file,
        },
        action: input.target.kind === 'vm' ? 'vms.import' : 'vdis.import',
      }
      await refusedUnless(deps, subject, () => {
        refuseIfReadOnly(deps.instances, input.instanceId)
        refuseIfOffline(deps.instances, input.instanceId)
      })
      return deps.transfers.add(auditedJob(deps, subject, importJob(instance, file, input)))
    },
    'transfers.move': async (input) => {
      const from = deps.instances.get(input.fromInstanceId)
      const to = deps.instances.get(input.toInstanceId)
      if (from.id === to.id) {
        throw new AppFailure(
          'invalid-input',
          `${from.label} is both the source and the target.`,
          'Choose another instance to copy into.',
        )
      }
      const collection = input.kind === 'vm' ? 'vms' : 'vdis'
      const name = from.live.cache.get(collection, input.objectId)?.['name_label']
      // A move changes the target only: audited there, refused when it is read-only or offline.
      const subject: Subject = {
        instance: { id: to.id, name: to.label },
        object: { collection, id: input.objectId, ...(typeof name === 'string' ? { name } : {}) },
        action: `${collection}.move`,
      }
      await refusedUnless(deps, subject, () => {
        refuseIfReadOnly(deps.instances, to.id)
        refuseIfOffline(deps.instances, to.id)
        refuseIfOffline(deps.instances, from.id)
      })
      return deps.transfers.add(auditedJob(deps, subject, moveJob(from, to, input)))
    },
    'transfers.cancel': async ({ transferId }) => knownTransfer(deps.transfers.cancel(transferId)),
    'transfers.retry': async ({ transferId }) => knownTransfer(deps.transfers.retry(transferId)),
    'transfers.clear': async () => deps.transfers.clearEnded(),
    'transfers.settings': async () => deps.transfers.settings,
    'transfers.configure': async (settings) => {
      const applied = deps.transfers.configure(settings)
      await deps.settings.update({ transfers: applied })
      return applied
    },
    'library.list': async () => ({ root: deps.library.root, entries: await deps.library.list() }),
    'library.verify': ({ id }, signal) => deps.library.verify(id, signal),
    'library.remove': async ({ id }) => {
      await deps.library.remove(id)
      deps.hub.publish('library.changed', undefined)
      return undefined
    },
    'library.setFolder': async ({ path }) => {
      const folder = await usableFolder(path)
      deps.library.setRoot(folder)
      await deps.settings.update({ libraryDir: folder })
      deps.hub.publish('library.changed', undefined)
      return { root: deps.library.root, entries: await deps.library.list() }
    },
    'library.reveal': async ({ id }) => {
      deps.showItemInFolder(deps.library.pathOf(id))
      return undefined
    },
    // The same checks as an import makes before its first byte, shown before a target is chosen.
    'library.inspectDropped': async ({ path }, signal) => {
      const file = await droppedFile(path)
      const name = basename(file)
      const format = droppedFormat(file)
      try {
        const image = await inspectImage(file, signal)
        return {
          path: file,
          name,
          size: image.fileSize,
          format: image.kind,
          contents: toContents(image),
        }
      } catch (err) {
        // A damaged file is an answer to show, with where it is damaged; anything else fails.
        if (!(err instanceof AppFailure) || err.appError.code !== 'corrupt-file') throw err
        const { size } = await stat(file)
        const { message, action } = err.appError
        return { path: file, name, size, format, invalid: { message, action } }
      }
    },
  }
}

/**
 * A transfer that changes XO, audited when it starts and when it ends, on every try (a retry runs
 * the job again); the object XO created is named in the ending entry.
 */
function auditedJob(deps: HandlerDeps, subject: Subject, job: TransferJob): TransferJob {
  return {
    ...job,
    run: (ctx) =>
      audited(
        deps,
        subject,
        async () => {
          await deps.audit.record({ ...subject, outcome: 'started' })
          return job.run(ctx)
        },
        ({ created }) => (created ? { object: { ...subject.object, id: created.id } } : {}),
      ),
  }
}

/** A folder the library can live in: absolute, created if missing, writable. */
async function usableFolder(path: string): Promise<string> {
  if (!isAbsolute(path)) {
    throw new AppFailure(
      'invalid-input',
      `"${path}" is not a full path.`,
      'Give the whole path of the folder, from the root of the disk.',
    )
  }
  try {
    await mkdir(path, { recursive: true })
    await access(path, constants.W_OK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown'
    throw new AppFailure(
      'forbidden',
      `XO Desk cannot use ${path} as its library (${code}).`,
      'Choose a folder you can write to, on a disk with room for VM images.',
    )
  }
  return path
}

function knownTransfer<T>(view: T | undefined): T {
  if (view) return view
  throw new AppFailure(
    'not-found',
    'This transfer is no longer known, or cannot be retried (it finished).',
    'Start the transfer again from the Library or the VM list.',
  )
}

function summary(deps: HandlerDeps, id: string): InstanceSummary {
  return summaryOf(deps.instances.get(id))
}

/**
 * A non-admin account's VM rows carry the actions it may not run (`$refused`: action → missing
 * privilege), so the window disables them with the reason instead of letting XO answer 403.
 */
function withRefusals(instance: Instance, page: InventoryPage): InventoryPage {
  if (!instance.account || instance.account.account.admin) return page
  return {
    ...page,
    items: page.items.map((vm) => {
      const refused = refusedVmActions(instance.account, vm)
      return refused ? { ...vm, $refused: refused } : vm
    }),
  }
}

/** What a page reads: its collection, and the pools and hosts whose names a sort or a row shows. */
function collectionsFor(query: { collection: string }): string[] {
  return [query.collection, 'pools', 'hosts']
}

/** XO would answer 403 `missingPrivileges`: say it before sending anything, in the same words. */
function refuseWithoutPrivilege(
  instances: InstanceRegistry,
  id: string,
  vmId: string,
  action: string,
): void {
  const instance = instances.get(id)
  const vm = instance.live.cache.get('vms', vmId) ?? { id: vmId }
  const missing = refusedVmActions(instance.account, vm)?.[action]
  if (!missing) return
  throw new AppFailure(
    'forbidden',
    `Your XO account on ${instance.label} lacks ${missing} on ${String(vm['name_label'] ?? vmId)}.`,
    'Ask an XO administrator to grant it, or sign in with another account.',
  )
}

/** Actions that cut a VM off without asking its OS. */
const DESTRUCTIVE_VM_ACTIONS: ReadonlySet<string> = new Set(['hard_shutdown', 'hard_reboot'])

/**
 * On an instance whose environment is `production`, a forced shutdown or reboot needs the VM's
 * name typed by the admin; main checks it, so no path around the dialog changes anything.
 */
function refuseUnconfirmed(instances: InstanceRegistry, input: VmActionInput): void {
  if (!DESTRUCTIVE_VM_ACTIONS.has(input.action)) return
  const instance = instances.get(input.instanceId)
  if (instance.details?.environment?.toLowerCase() !== 'production') return
  const name = String(instance.live.cache.get('vms', input.vmId)?.['name_label'] ?? input.vmId)
  if (input.confirmName?.trim() === name) return
  throw new AppFailure(
    'invalid-input',
    `${instance.label} is a production instance: forcing ${name} off needs its name typed to confirm.`,
    `Type "${name}" in the confirmation, or shut it down cleanly instead.`,
  )
}

/** A request on a saved instance, named while it still exists (before `instances.remove`). */
function onInstance(
  deps: HandlerDeps,
  action: string,
  id: string,
  name = deps.connections.find(id)?.name ?? id,
): Subject {
  return { instance: { id, name }, object: { collection: 'instances', id, name }, action }
}

function onVm(deps: HandlerDeps, { instanceId, vmId, action }: VmActionInput): Subject {
  const instance = deps.instances.get(instanceId)
  return {
    instance: { id: instanceId, name: instance.label },
    object: { collection: 'vms', id: vmId, name: vmNameOf(instance, vmId) },
    action: `vms.${action}`,
  }
}
