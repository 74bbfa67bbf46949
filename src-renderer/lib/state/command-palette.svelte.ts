import type { AppError, CrossInstanceObject, InstanceSummary, XoBridge } from '@contract'
import { actionsFor } from '../vm-actions'
import { m } from '../../paraglide/messages.js'

/** One line of the palette: what Enter does. */
export interface PaletteCommand {
  id: string
  label: string
  /** Where it applies: the VM's instance. */
  detail: string
  run(): Promise<AppError | undefined>
}

/** How many VMs the palette offers at once. */
const SHOWN = 8
/**
 * First words that name an action (the start of its label: "Shut down", "Force shutdown"), in
 * English and in French: an admin may type either, whatever the app's language.
 */
const VERBS: readonly string[] = [
  ...['start', 'shut', 'reboot', 'resume', 'force'],
  ...['démarrer', 'arrêter', 'redémarrer', 'reprendre', 'forcer'],
]

/**
 * The command palette (Ctrl/Cmd+K): type a VM's name, optionally after a verb ("start web-01"),
 * and get its actions on its own instance; or an instance's name to open it. VMs are searched in
 * main's caches across every connected instance, with XO's filter syntax (a bare word matches any
 * field).
 */
export class CommandPalette {
  open = $state(false)
  query = $state('')
  commands = $state.raw<PaletteCommand[]>([])
  selected = $state(0)
  error = $state<AppError | undefined>()

  readonly #xo: XoBridge
  readonly #instances: () => InstanceSummary[]
  readonly #select: (instanceId: string) => void
  #sequence = 0

  constructor(
    xo: XoBridge,
    instances: () => InstanceSummary[],
    select: (instanceId: string) => void,
  ) {
    this.#xo = xo
    this.#instances = instances
    this.#select = select
  }

  show(): void {
    this.open = true
    this.query = ''
    this.commands = []
    this.selected = 0
    this.error = undefined
  }

  close(): void {
    this.open = false
  }

  async search(query: string): Promise<void> {
    this.query = query
    this.selected = 0
    const sequence = ++this.#sequence
    const words = query.trim().split(/\s+/).filter(Boolean)
    if (words.length === 0) {
      this.commands = []
      return
    }
    // A leading verb narrows the actions: "start web", "reboot db-01".
    const first = words[0]?.toLowerCase() ?? ''
    const verb = VERBS.includes(first) ? first : undefined
    const rest = verb ? words.slice(1) : words
    const opens: PaletteCommand[] = verb
      ? []
      : this.#instances()
          .filter((i) => i.label.toLowerCase().includes(rest.join(' ').toLowerCase()))
          .map((i) => ({
            id: `open:${i.id}`,
            label: m.palette_open({ label: i.label }),
            detail: m.palette_instance(),
            run: async () => {
              this.#select(i.id)
              return undefined
            },
          }))
    let vms: CrossInstanceObject[] = []
    if (rest.length > 0) {
      // Quoted, so that a name's dashes or dots are read as text, not syntax.
      const filter = rest.map((w) => `name_label:${JSON.stringify(w)}`).join(' ')
      const res = await this.#xo.invoke('inventory.pageAll', {
        collection: 'vms',
        offset: 0,
        limit: SHOWN,
        sort: { field: 'name_label' },
        filter,
      })
      if (sequence !== this.#sequence) return
      if (!res.ok) {
        this.error = res.error
        return
      }
      vms = res.value.items
    }
    if (sequence !== this.#sequence) return
    this.error = undefined
    this.commands = [...opens, ...vms.flatMap((vm) => this.#vmCommands(vm, verb))]
  }

  #vmCommands(vm: CrossInstanceObject, verb: string | undefined): PaletteCommand[] {
    const name = String(vm['name_label'] ?? vm.id)
    const powerState = String(vm['power_state'] ?? '')
    const english = actionsFor(powerState, 'en')
    const french = actionsFor(powerState, 'fr')
    const named = (action: string): boolean =>
      !verb ||
      [english, french].some((labels) =>
        labels.some((a) => a.action === action && a.label.toLowerCase().startsWith(verb)),
      )
    return actionsFor(powerState)
      .filter(({ action }) => named(action))
      .map(({ action, label }) => ({
        id: `${vm.$instance.id}:${vm.id}:${action}`,
        label: `${label} ${name}`,
        detail: vm.$instance.label,
        run: async () => {
          const res = await this.#xo.invoke('vms.action', {
            instanceId: vm.$instance.id,
            vmId: vm.id,
            action,
          })
          return res.ok ? undefined : res.error
        },
      }))
  }

  move(step: number): void {
    const n = this.commands.length
    if (n > 0) this.selected = (this.selected + step + n) % n
  }

  /** Runs the selected command; the palette closes unless it failed (its error then shows). */
  async run(index = this.selected): Promise<void> {
    const command = this.commands[index]
    if (!command) return
    const error = await command.run()
    if (error) this.error = error
    else this.close()
  }
}
