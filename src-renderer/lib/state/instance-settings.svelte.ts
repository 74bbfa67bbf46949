import type { AppError, InstanceSettingsPatch, InstanceSummary, XoBridge } from '@contract'
import type { InstancesState } from './instances.svelte'

/**
 * The "Instance settings" form of one saved instance: name, colour, environment, read-only, its
 * place in the sidebar, and removing it. Main checks every change again (unique name, colour).
 */
export class InstanceSettings {
  name = $state('')
  color = $state('')
  environment = $state('')
  readOnly = $state(false)
  busy = $state(false)
  error = $state<AppError | undefined>()
  /** True once "Remove" was clicked: the view asks again, naming the instance. */
  confirmingRemove = $state(false)

  readonly id: string
  readonly #xo: XoBridge
  readonly #instances: InstancesState

  constructor(xo: XoBridge, instances: InstancesState, instance: InstanceSummary) {
    this.#xo = xo
    this.#instances = instances
    this.id = instance.id
    this.name = instance.label
    this.color = instance.color ?? '#2f6fde'
    this.environment = instance.environment ?? ''
    this.readOnly = instance.readOnly ?? false
  }

  /** The saved instances in sidebar order (the Demo lab has no place to move to). */
  get #saved(): string[] {
    return this.#instances.list.filter((i) => i.kind === 'xo').map((i) => i.id)
  }

  get canMoveUp(): boolean {
    return this.#saved.indexOf(this.id) > 0
  }

  get canMoveDown(): boolean {
    const ids = this.#saved
    const at = ids.indexOf(this.id)
    return at !== -1 && at < ids.length - 1
  }

  /** Saves the changed fields; true when main accepted them. */
  async save(): Promise<boolean> {
    const current = this.#instances.list.find((i) => i.id === this.id)
    const patch: InstanceSettingsPatch = {}
    if (this.name.trim() !== current?.label) patch.name = this.name.trim()
    if (this.color !== current?.color) patch.color = this.color
    if (this.environment.trim() !== current?.environment)
      patch.environment = this.environment.trim()
    if (this.readOnly !== (current?.readOnly ?? false)) patch.readOnly = this.readOnly
    if (Object.keys(patch).length === 0) return true
    return this.#run(async () => {
      const res = await this.#xo.invoke('instances.update', { instanceId: this.id, patch })
      if (!res.ok) return res.error
      this.#instances.updated(res.value)
      return undefined
    })
  }

  async move(by: -1 | 1): Promise<void> {
    const ids = this.#saved
    const at = ids.indexOf(this.id)
    const to = at + by
    if (at === -1 || to < 0 || to >= ids.length) return
    ids.splice(at, 1)
    ids.splice(to, 0, this.id)
    await this.#run(async () => {
      const res = await this.#xo.invoke('instances.reorder', { instanceIds: ids })
      if (!res.ok) return res.error
      this.#instances.reordered(res.value)
      return undefined
    })
  }

  /** Removes the instance (after the view's confirmation); true when it is gone. */
  async remove(): Promise<boolean> {
    this.confirmingRemove = false
    return this.#run(async () => {
      const res = await this.#xo.invoke('instances.remove', { instanceId: this.id })
      if (!res.ok) return res.error
      this.#instances.removed(this.id)
      return undefined
    })
  }

  async #run(call: () => Promise<AppError | undefined>): Promise<boolean> {
    this.busy = true
    this.error = undefined
    try {
      this.error = await call()
      return this.error === undefined
    } finally {
      this.busy = false
    }
  }
}
