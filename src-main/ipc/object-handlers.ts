import type { DeskTask } from '@contract'
import { AppFailure } from '../app-failure'
import { browserPrefsOf } from '../app-settings/app-settings'
import {
  actionRequest,
  deleteRequest,
  renameRequest,
  runDeskTask,
  tagRequest,
  type DeskRequest,
} from '../objects/object-actions'
import { may } from '../xo/account'
import { ending, refusedUnless, refuseIfOffline, refuseIfReadOnly, type Subject } from './guards'
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
  const instance = (id: string) => deps.instances.get(id)
  const run = (request: DeskRequest, confirmName: string | undefined, signal: AbortSignal) =>
    checkedRun(deps, request, confirmName, signal)
  return {
    'objects.action': ({ confirmName, ...input }, signal) =>
      run(actionRequest(instance(input.instanceId), input), confirmName, signal),
    'objects.delete': ({ instanceId, collection, id, confirmName }, signal) =>
      run(deleteRequest(instance(instanceId), collection, id), confirmName, signal),
    'objects.rename': ({ instanceId, collection, id, name }, signal) =>
      run(renameRequest(instance(instanceId), collection, id, name), undefined, signal),
    'objects.tag': ({ instanceId, collection, id, tag, present }, signal) =>
      run(tagRequest(instance(instanceId), collection, id, tag, present), undefined, signal),
    'tasks.list': async () => deps.tasks.list(),
    'tasks.clear': async () => deps.tasks.clear(),
    'prefs.get': async () => browserPrefsOf(await deps.settings.read()),
    'prefs.set': (patch) => deps.settings.updateBrowser(patch),
  }
}

/**
 * XO Desk's own checks first (read-only, offline, the account's privileges, the typed name on
 * production), each refusal audited; then the request runs as a DeskTask, audited as it starts
 * and as it ends.
 */
async function checkedRun(
  deps: HandlerDeps,
  request: DeskRequest,
  confirmName: string | undefined,
  signal: AbortSignal,
): Promise<DeskTask> {
  const { instance, object } = request
  const subject: Subject = {
    instance: { id: instance.id, name: instance.label },
    object,
    action: `${object.collection}.${request.action}`,
  }
  await refusedUnless(deps, subject, () => {
    refuseIfReadOnly(deps.instances, instance.id)
    refuseIfOffline(deps.instances, instance.id)
    refuseWithoutPrivilege(request)
    refuseUnconfirmed(request, confirmName)
  })
  return runDeskTask(deps.tasks, deps.log, request, signal, {
    onStarted: ({ taskId }) => void deps.audit.record({ ...subject, outcome: 'started', taskId }),
    onEnd: ({ taskId, error }) =>
      void deps.audit.record({ ...subject, ...(taskId ? { taskId } : {}), ...ending(error) }),
  })
}

/** XO would answer 403 `missingPrivileges`: say it before sending anything, in the same words. */
function refuseWithoutPrivilege({ instance, object, privileges }: DeskRequest): void {
  const account = instance.account?.account
  if (!account || account.admin) return
  const row = instance.live.cache.get(object.collection, object.id) ?? { id: object.id }
  const missing = privileges.find((p) => !may(account, p, row))
  if (!missing) return
  throw new AppFailure(
    'forbidden',
    `Your XO account on ${instance.label} lacks ${missing.resource}:${missing.action} on ${object.name}.`,
    'Ask an XO administrator to grant it, or sign in with another account.',
  )
}

/**
 * On an instance whose environment is `production`, what cannot be undone or cuts service off
 * needs the object's name typed by the admin; main checks it, so no path around the dialog
 * changes anything.
 */
function refuseUnconfirmed(request: DeskRequest, confirmName: string | undefined): void {
  const { instance, object } = request
  if (!request.destructive) return
  if (instance.details?.environment?.toLowerCase() !== 'production') return
  if (confirmName?.trim() === object.name) return
  throw new AppFailure(
    'invalid-input',
    `${instance.label} is a production instance: to ${request.verb} ${object.name}, type its name to confirm.`,
    `Type "${object.name}" in the confirmation to go ahead.`,
  )
}
