/**
 * The one contract between the renderer and main. Environment-neutral: no `electron`, no
 * `node:*`, no DOM, so main, preload, renderer and tests can all import it.
 */
import type { AppError, Result } from './errors'
import type { AppInfo, Heartbeat, OpenHelpInput } from './app'
import type {
  AddInstanceInput,
  InstanceId,
  InstanceSummary,
  ServerInspection,
  SignInInput,
} from './instances'
import type {
  ConnectionState,
  CrossInstancePage,
  InventoryDiff,
  InventoryPage,
  InventoryPageQuery,
} from './inventory'
import type { TaskProgress, VmActionInput } from './tasks'
import type { ConsoleOpenInput, ConsoleTicket } from './console'
import type { AuditEntry, AuditExport, AuditExportInput, AuditListInput } from './audit'
import type { InstanceCertificate, InstanceSettingsPatch } from './settings'
import type {
  ExportChoices,
  ExportInput,
  ImportInput,
  MoveInput,
  TransferSettings,
  TransferTotals,
  TransferView,
} from './transfers'
import type { DroppedFile, LibraryEntry, LibraryListing } from './library'
import type {
  BrowserPrefs,
  DeletableCollection,
  DeskTask,
  MissingPatch,
  ObjectActionInput,
  ObjectCounts,
  ObjectDetails,
  ObjectRef,
  ObjectStats,
  RenamableCollection,
  StatsCollection,
  StatsGranularity,
  TaggableCollection,
} from './objects'

export type * from './errors'
export type * from './app'
export type * from './instances'
export type * from './inventory'
export type * from './tasks'
export type * from './audit'
export type * from './settings'
export type * from './transfers'
export type * from './library'
export type * from './objects'
export type * from './xo-objects'
export type * from './console'
export { CONSOLE_CHANNEL, CONSOLE_PORT_KEY } from './console'
export { ok, fail } from './errors'
export { BROWSABLE_COLLECTIONS, INVENTORY_COLLECTIONS } from './objects'

/** Every request the renderer may make, named `domain.verb`: its input and its success value. */
export interface Methods {
  /** Name, version and runtime of the app. */
  'app.info': { input: undefined; output: AppInfo }
  /** Open a help page in the system browser (https, allow-listed hosts only). */
  'app.openHelp': { input: OpenHelpInput; output: undefined }
  /** The configured XO instances, with their connection state. */
  'instances.list': { input: undefined; output: InstanceSummary[] }
  /** What XO Desk could not read at start (settings file, keychain), to tell the user once. */
  'instances.notices': { input: undefined; output: AppError[] }
  /** First contact with an address: its normalised URL, warnings and certificate. Saves nothing. */
  'instances.inspect': { input: { address: string }; output: ServerInspection }
  /** Checks the address, certificate and credentials, then saves and connects a new instance. */
  'instances.add': { input: AddInstanceInput; output: InstanceSummary }
  /** Removes an instance: its settings, its keychain entry, its connection. */
  'instances.remove': { input: { instanceId: InstanceId }; output: undefined }
  /** Trusts the certificate an instance presents now (after the admin compared its fingerprint). */
  'instances.trust': {
    input: { instanceId: InstanceId; fingerprint256: string }
    output: InstanceSummary
  }
  /** Changes a saved instance's name, colour, environment or read-only flag; keeps its token. */
  'instances.update': {
    input: { instanceId: InstanceId; patch: InstanceSettingsPatch }
    output: InstanceSummary
  }
  /** Saves the sidebar's order of the saved instances (every saved id, once); returns the list. */
  'instances.reorder': { input: { instanceIds: InstanceId[] }; output: InstanceSummary[] }
  /** Each saved instance's certificate: pinned vs presented, expiry (a handshake only, no request). */
  'instances.certificates': { input: undefined; output: InstanceCertificate[] }
  /** Replaces an instance's token (expired or revoked) without touching its settings. */
  'instances.signIn': {
    input: { instanceId: InstanceId; signIn: SignInInput }
    output: InstanceSummary
  }
  /** Start the built-in simulator and connect to it as the instance "Demo lab". */
  'demo.open': { input: undefined; output: InstanceSummary }
  /** Throw the Demo lab away and start a fresh one, as on first open. */
  'demo.reset': { input: undefined; output: InstanceSummary }
  /** One page of a collection from main's inventory cache (never a request to XO). */
  'inventory.page': {
    input: InventoryPageQuery & { instanceId: InstanceId }
    output: InventoryPage
  }
  /**
   * One page of a collection across every connected instance, merged by the sort key; each item
   * says its instance. An instance that cannot answer is listed in `unavailable`, not waited for.
   */
  'inventory.pageAll': { input: InventoryPageQuery; output: CrossInstancePage }
  /** How many objects of each type an instance has, from main's cache (the navigation's counts). */
  'inventory.counts': { input: { instanceId: InstanceId }; output: ObjectCounts }
  /**
   * One object in full (read from XO, or the cache's copy when XO cannot be reached), its related
   * objects, and its alarms, messages and tasks.
   */
  'objects.details': { input: ObjectRef; output: ObjectDetails }
  /** Starts an action XO has for the object; it is followed as a task in the Tasks panel. */
  'objects.action': { input: ObjectActionInput; output: DeskTask }
  /** Deletes an object; `confirmName` is required on a production instance. */
  'objects.delete': {
    input: ObjectRef & { collection: DeletableCollection; confirmName?: string }
    output: DeskTask
  }
  'objects.rename': {
    input: ObjectRef & { collection: RenamableCollection; name: string }
    output: DeskTask
  }
  /** Adds (`present: true`) or removes a tag. */
  'objects.tag': {
    input: ObjectRef & { collection: TaggableCollection; tag: string; present: boolean }
    output: DeskTask
  }
  /** A VM's, host's or pool's stats, read into charts. */
  'objects.stats': {
    input: {
      instanceId: InstanceId
      collection: StatsCollection
      id: string
      granularity: StatsGranularity
    }
    output: ObjectStats
  }
  /** The patches a host lacks, as XO lists them (it needs an XOA licence for that). */
  'objects.patches': { input: { instanceId: InstanceId; id: string }; output: MissingPatch[] }
  /** The actions XO Desk started this session, across instances, newest first. */
  'tasks.list': { input: undefined; output: DeskTask[] }
  /** Forgets the tasks that ended; returns those left. */
  'tasks.clear': { input: undefined; output: DeskTask[] }
  /** The browser's saved preferences: language, columns, saved searches. */
  'prefs.get': { input: undefined; output: BrowserPrefs }
  /** Saves some of them; returns them all. */
  'prefs.set': { input: Partial<BrowserPrefs>; output: BrowserPrefs }
  /** Start a VM power action; its task's progress arrives as `task.progress` events. */
  'vms.action': { input: VmActionInput; output: { taskId: string } }
  /** The local audit log of mutating requests, newest first. */
  'audit.list': { input: AuditListInput; output: AuditEntry[] }
  /** The whole audit log as CSV or JSON text, to save as a file. */
  'audit.export': { input: AuditExportInput; output: AuditExport }
  /** A VM's disks and snapshots, to export one of them instead of the whole VM. */
  'transfers.exportChoices': {
    input: { instanceId: InstanceId; vmId: string }
    output: ExportChoices
  }
  /** Every transfer main knows of this session: queued, running and ended. */
  'transfers.list': { input: undefined; output: TransferView[] }
  /** Queues an export into the instance's library folder; its progress arrives as `transfer.updated`. */
  'transfers.export': { input: ExportInput; output: TransferView }
  /** Queues an import of a library file or a dropped file; validated before any byte is sent. */
  'transfers.import': { input: ImportInput; output: TransferView }
  /**
   * Queues a copy of a VM or disk into another instance, streamed from one to the other (no local
   * copy); a disk's content is compared after it arrived.
   */
  'transfers.move': { input: MoveInput; output: TransferView }
  /** Cancels a queued or running transfer (the request is aborted, the part file removed). */
  'transfers.cancel': { input: { transferId: string }; output: TransferView }
  /** Queues a failed or cancelled transfer again, from its first byte. */
  'transfers.retry': { input: { transferId: string }; output: TransferView }
  /** Forgets the transfers that ended. */
  'transfers.clear': { input: undefined; output: TransferView[] }
  /** How many run at once and the bandwidth limit. */
  'transfers.settings': { input: undefined; output: TransferSettings }
  'transfers.configure': { input: TransferSettings; output: TransferSettings }
  /** The library's files, with what validation read from them and their checksum state. */
  'library.list': { input: undefined; output: LibraryListing }
  /** Computes a file's SHA-256 and compares it with its `.sha256`. */
  'library.verify': { input: { id: string }; output: LibraryEntry }
  /** Deletes a file with its `.sha256` and `.xodesk.json`. */
  'library.remove': { input: { id: string }; output: undefined }
  /** Moves the library to another folder (created if missing); files already there stay. */
  'library.setFolder': { input: { path: string }; output: LibraryListing }
  /** Shows the file in the system's file manager. */
  'library.reveal': { input: { id: string }; output: undefined }
  /** Reads a file dropped on the window, before any import: what it holds, or why it is refused. */
  'library.inspectDropped': { input: { path: string }; output: DroppedFile }
  /**
   * Checks that an object's console can open (it runs, the instance is connected) and audits it;
   * the pipe comes next, through `XoBridge.connectConsole`.
   */
  'console.open': { input: ConsoleOpenInput; output: ConsoleTicket }
  /** Closes a console (its tab or window closed). */
  'console.close': { input: { consoleId: string }; output: undefined }
  /** Shows an object's console in a window of its own (`#console/<instance>/<collection>/<id>`). */
  'console.detach': { input: ConsoleOpenInput; output: undefined }
}

/** Every push from main, named `domain.noun`. Payloads are plain, structured-clone-safe data. */
export interface Events {
  'app.heartbeat': Heartbeat
  /** An instance's live connection changed state. */
  'instance.state': ConnectionState
  /** What the sidebar shows of an instance changed (its account and server became known). */
  'instance.updated': InstanceSummary
  /** Changes to a collection of an instance, coalesced per frame. */
  'inventory.diff': InventoryDiff
  /** An action's task progressed, succeeded or failed. */
  'task.progress': TaskProgress
  /** A task of the Tasks panel started, progressed or ended. */
  'desk.task': DeskTask
  /** A transfer was queued, progressed (a few times a second) or ended. */
  'transfer.updated': TransferView
  /** The total of the running transfers (the taskbar's progress). */
  'transfer.totals': TransferTotals
  /** A file of the library appeared, changed, was checked or removed: list it again. */
  'library.changed': undefined
}

export type MethodName = keyof Methods
export type Input<M extends MethodName> = Methods[M]['input']
export type Output<M extends MethodName> = Methods[M]['output']
export type EventName = keyof Events

/** Runtime allow-list of methods. `satisfies` fails the build when a method is missing or extra. */
export const METHODS = {
  'app.info': true,
  'app.openHelp': true,
  'instances.list': true,
  'instances.notices': true,
  'instances.inspect': true,
  'instances.add': true,
  'instances.remove': true,
  'instances.trust': true,
  'instances.signIn': true,
  'instances.update': true,
  'instances.reorder': true,
  'instances.certificates': true,
  'demo.open': true,
  'demo.reset': true,
  'inventory.page': true,
  'inventory.pageAll': true,
  'inventory.counts': true,
  'objects.details': true,
  'objects.action': true,
  'objects.delete': true,
  'objects.rename': true,
  'objects.tag': true,
  'objects.stats': true,
  'objects.patches': true,
  'tasks.list': true,
  'tasks.clear': true,
  'prefs.get': true,
  'prefs.set': true,
  'vms.action': true,
  'audit.list': true,
  'audit.export': true,
  'transfers.exportChoices': true,
  'transfers.list': true,
  'transfers.export': true,
  'transfers.import': true,
  'transfers.move': true,
  'transfers.cancel': true,
  'transfers.retry': true,
  'transfers.clear': true,
  'transfers.settings': true,
  'transfers.configure': true,
  'library.list': true,
  'library.verify': true,
  'library.remove': true,
  'library.reveal': true,
  'library.setFolder': true,
  'library.inspectDropped': true,
  'console.open': true,
  'console.close': true,
  'console.detach': true,
} as const satisfies Record<MethodName, true>

/** Runtime allow-list of events, checked the same way. */
export const EVENTS = {
  'app.heartbeat': true,
  'instance.state': true,
  'instance.updated': true,
  'inventory.diff': true,
  'task.progress': true,
  'desk.task': true,
  'transfer.updated': true,
  'transfer.totals': true,
  'library.changed': true,
} as const satisfies Record<EventName, true>

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(METHODS, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENTS, name)
}

/** The IPC channel for requests (renderer → main). */
export const INVOKE_CHANNEL = 'xo:invoke'
/** The IPC channel for events (main → renderer). */
export const EVENT_CHANNEL = 'xo:event'

/** What `window.xo` looks like in the renderer: the whole surface main exposes. */
export interface XoBridge {
  invoke<M extends MethodName>(method: M, input: Input<M>): Promise<Result<Output<M>>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
  /**
   * The path of a file dropped on the window (Electron's `webUtils.getPathForFile`), or '' when it
   * has none. Only the preload can read it; main checks the path before opening the file.
   */
  pathForFile(file: File): string
  /**
   * Asks main for an opened console's pipe (`console.open` first). It arrives as a MessagePort in
   * a window `message` event `{ xoConsolePort: consoleId }`: a MessagePort cannot cross the
   * context bridge, window.postMessage carries it (Electron's documented way).
   */
  connectConsole(consoleId: string): void
}
