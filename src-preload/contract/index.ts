/**
 * The one contract between the renderer and main. Environment-neutral: no `electron`, no
 * `node:*`, no DOM, so main, preload, renderer and tests can all import it.
 */
import type { Result } from './errors'
import type { AppInfo, Heartbeat, OpenHelpInput } from './app'

export type * from './errors'
export type * from './app'
export { ok, fail } from './errors'

/** Every request the renderer may make, named `domain.verb`: its input and its success value. */
export interface Methods {
  /** Name, version and runtime of the app. */
  'app.info': { input: undefined; output: AppInfo }
  /** Open a help page in the system browser (https, allow-listed hosts only). */
  'app.openHelp': { input: OpenHelpInput; output: undefined }
}

/** Every push from main, named `domain.noun`. Payloads are plain, structured-clone-safe data. */
export interface Events {
  'app.heartbeat': Heartbeat
}

export type MethodName = keyof Methods
export type Input<M extends MethodName> = Methods[M]['input']
export type Output<M extends MethodName> = Methods[M]['output']
export type EventName = keyof Events

/** Runtime allow-list of methods. `satisfies` fails the build when a method is missing or extra. */
export const METHODS = {
  'app.info': true,
  'app.openHelp': true,
} as const satisfies Record<MethodName, true>

/** Runtime allow-list of events, checked the same way. */
export const EVENTS = {
  'app.heartbeat': true,
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
