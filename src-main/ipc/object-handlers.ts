import { AppFailure } from '../app-failure'
import type { HandlerDeps } from './handlers'
import type { Handlers } from './router'

/** The inventory browser's mutating methods, the Tasks panel and the browser's preferences. */
export function objectHandlers(
  deps: HandlerDeps,
): Pick<
  Handlers,
  | 'objects.action'
  | 'objects.delete'
  | 'objects.rename'
  | 'objects.tag'
  | 'tasks.list'
  | 'tasks.clear'
  | 'prefs.get'
  | 'prefs.set'
> {
  const notYet = (): never => {
    throw new AppFailure('internal', 'This action is not available yet.', 'Update XO Desk.')
  }
  return {
    'objects.action': async () => notYet(),
    'objects.delete': async () => notYet(),
    'objects.rename': async () => notYet(),
    'objects.tag': async () => notYet(),
    'tasks.list': async () => deps.tasks.list(),
    'tasks.clear': async () => deps.tasks.clear(),
    'prefs.get': async () => notYet(),
    'prefs.set': async () => notYet(),
  }
}
