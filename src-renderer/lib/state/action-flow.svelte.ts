import type { AppError, InventoryCollection, Result, XoBridge, DeskTask } from '@contract'
import type { ActionChoice, ActionRequest, FormValues } from '../objects/object-actions'

/** An object an action is asked on. */
export interface ActionTarget {
  instanceId: string
  collection: InventoryCollection
  id: string
  name: string
}

/** What is being asked: one action on one or more objects. */
export interface AskedAction {
  choice: ActionChoice
  targets: ActionTarget[]
  /** The instance is a production one: a dangerous action needs a typed confirmation. */
  production: boolean
}

/**
 * From a click on an action to its requests: a form when the action needs one, one confirmation
 * for a dangerous action or several objects (the count and their names in it), then one request
 * per object. Each becomes a task in the Tasks panel.
 */
export class ActionFlow {
  asked = $state<AskedAction | undefined>()
  /** Why the last requests were refused at once, one per object that failed. */
  errors = $state.raw<AppError[]>([])
  busy = $state(false)
  readonly #xo: XoBridge
  readonly #started: (task: DeskTask) => void

  constructor(xo: XoBridge, started: (task: DeskTask) => void = () => undefined) {
    this.#xo = xo
    this.#started = started
  }

  /** Whether the action goes straight out, with nothing to ask. */
  static direct(choice: ActionChoice, targets: number): boolean {
    return !choice.form && !choice.danger && targets === 1
  }

  ask(choice: ActionChoice, targets: ActionTarget[], production: boolean): void {
    if (targets.length === 0) return
    this.errors = []
    if (ActionFlow.direct(choice, targets.length)) void this.run(choice, targets, {}, false)
    else this.asked = { choice, targets, production }
  }

  /** What the admin must type to confirm, when anything: the name, or the count for several. */
  static typedConfirmation(asked: AskedAction): string | undefined {
    if (!asked.production || !asked.choice.danger) return undefined
    return asked.targets.length === 1 ? asked.targets[0]?.name : String(asked.targets.length)
  }

  async confirm(form: FormValues): Promise<void> {
    const asked = this.asked
    if (!asked) return
    this.asked = undefined
    await this.run(asked.choice, asked.targets, form, asked.production && !!asked.choice.danger)
  }

  cancel(): void {
    this.asked = undefined
  }

  async run(
    choice: ActionChoice,
    targets: ActionTarget[],
    form: FormValues,
    confirmed: boolean,
  ): Promise<void> {
    this.busy = true
    const results = await Promise.all(
      targets.map((t) => this.#send(choice.request(t.id, form), t, confirmed)),
    )
    this.busy = false
    const errors: AppError[] = []
    for (const res of results) {
      if (res.ok) this.#started(res.value)
      else errors.push(res.error)
    }
    this.errors = errors
  }

  #send(
    request: ActionRequest,
    target: ActionTarget,
    confirmed: boolean,
  ): Promise<Result<DeskTask>> {
    const { instanceId } = target
    // Main checks the typed name on a production instance; the window asked for it already.
    const confirmName = confirmed ? { confirmName: target.name } : {}
    switch (request.method) {
      case 'objects.action':
        return this.#xo.invoke('objects.action', {
          ...request.action,
          instanceId,
          id: request.id,
          ...confirmName,
        })
      case 'objects.delete':
        return this.#xo.invoke('objects.delete', {
          instanceId,
          collection: request.collection,
          id: request.id,
          ...confirmName,
        })
      case 'objects.rename':
        return this.#xo.invoke('objects.rename', {
          instanceId,
          collection: request.collection,
          id: request.id,
          name: request.name,
        })
      case 'objects.tag':
        return this.#xo.invoke('objects.tag', {
          instanceId,
          collection: request.collection,
          id: request.id,
          tag: request.tag,
          present: request.present,
        })
    }
  }
}
