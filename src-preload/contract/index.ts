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
import type { AuditEntry, AuditExport, AuditExportInput, AuditListInput } from './audit'
import type { InstanceCertificate, InstanceSettingsPatch } from './settings'

export type * from './errors'
export type * from './app'
export type * from './instances'
export type * from './inventory'
export type * from './tasks'
export type * from './audit'
export type * from './settings'
export { ok, fail } from './errors'

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
  /** Start a VM power action; its task's progress arrives as `task.progress` events. */
  'vms.action': { input: VmActionInput; output: { taskId: string } }
  /** The local audit log of mutating requests, newest first. */
  'audit.list': { input: AuditListInput; output: AuditEntry[] }
  /** The whole audit log as CSV or JSON text, to save as a file. */
  'audit.export': { input: AuditExportInput; output: AuditExport }
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
  'vms.action': true,
  'audit.list': true,
  'audit.export': true,
} as const satisfies Record<MethodName, true>

/** Runtime allow-list of events, checked the same way. */
export const EVENTS = {
  'app.heartbeat': true,
  'instance.state': true,
  'instance.updated': true,
  'inventory.diff': true,
  'task.progress': true,
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
}
