import type { AppError, CrossInstanceObject, InstanceSummary, ObjectRef, XoBridge } from '@contract'
import { actionsFor } from '../vm-actions'
import { actionsOf, type ActionChoice } from '../objects/object-actions'
import { nameField, nameOf, singularOf } from '../objects/object-types'
import type { ActionTarget } from './action-flow.svelte'
import { m } from '../../paraglide/messages.js'

/** One line of the palette: what Enter does. */
export interface PaletteCommand {
  id: string
  label: string
  /** Where it applies: the object's type and instance, or the VM's instance. */
  detail: string
  run(): Promise<AppError | undefined>
}

/** What the palette does outside itself: the app's navigation and dialogs. */
export interface PaletteOptions {
  instances: () => InstanceSummary[]
  openInstance(instanceId: string): void
  openObject(ref: ObjectRef): void
  /** Opens the export dialog of a VM. */
  exportVm(vm: { instanceId: string; vmId: string; name: string }): void
  /** Asks an action as the UI does (its form, its confirmation). */
  ask(choice: ActionChoice, target: ActionTarget): void
}

/** The object types found by name, in the order the palette lists them. */
const SEARCHED = ['vms', 'hosts', 'pools', 'srs', 'vm-templates', 'networks'] as const
type Searched = (typeof SEARCHED)[number]

/** How many objects of each type the palette offers at once. */
const SHOWN: Record<Searched, number> = {
  vms: 8,
  hosts: 5,
  pools: 5,
  srs: 5,
  'vm-templates': 5,
  networks: 5,
}

/**
 * First words that name a power action (the start of its label: "Shut down", "Force shutdown"),
 * in English and in French: an admin may type either, whatever the app's language.
 */
const POWER_VERBS: readonly string[] = [
  ...['start', 'shut', 'reboot', 'resume', 'force'],
  ...['démarrer', 'arrêter', 'redémarrer', 'reprendre', 'forcer'],
]

/** The other verbs, English and French (with and without accents, as people type them). */
const VERBS: Record<string, 'open' | 'export' | 'snapshot'> = {
  open: 'open',
  ouvrir: 'open',
  export: 'export',
  exporter: 'export',
  snapshot: 'snapshot',
  instantané: 'snapshot',
  instantane: 'snapshot',
}

/** A type word after the verb ("open host xcp-02") searches that type only. */
const TYPE_WORDS: Record<string, Searched> = {
  vm: 'vms',
  host: 'hosts',
  hôte: 'hosts',
  hote: 'hosts',
  pool: 'pools',
  sr: 'srs',
  template: 'vm-templates',
  modèle: 'vm-templates',
  modele: 'vm-templates',
  network: 'networks',
  réseau: 'networks',
  reseau: 'networks',
}

type Verb = { kind: 'power'; word: string } | { kind: 'open' | 'export' | 'snapshot' }

/** What a query asks: an optional verb, an optional type, then words of a name. */
interface Parsed {
  verb: Verb | undefined
  type: Searched | undefined
  words: string[]
}

function parse(query: string): Parsed {
  const words = query.trim().split(/\s+/).filter(Boolean)
  const first = words[0]?.toLowerCase() ?? ''
  const other = VERBS[first]
  const verb: Verb | undefined = POWER_VERBS.includes(first)
    ? { kind: 'power', word: first }
    : other
      ? { kind: other }
      : undefined
  if (!verb) return { verb, type: undefined, words }
  const type = TYPE_WORDS[words[1]?.toLowerCase() ?? '']
  return { verb, type, words: words.slice(type ? 2 : 1) }
}

/**
 * A word as one quoted string of XO's filter syntax, so that its `:`, `(`, `|`, dashes or dots
 * are read as text, not syntax (a quoted string escapes `"` and `\` with a backslash).
 */
const quoted = (word: string): string => `"${word.replace(/["\\]/g, '\\$&')}"`

/**
 * The command palette (Ctrl/Cmd+K): type a name to get commands on the objects of that name across
 * every connected instance — a VM's power actions, opening a host, pool, SR, template or network,
 * opening an instance. A leading verb narrows them ("start web-01", "open host xcp-02",
 * "export db-01", "snapshot web-01", or their French). Objects are searched in main's caches with
 * XO's filter syntax, by name.
 */
export class CommandPalette {
  open = $state(false)
  query = $state('')
  commands = $state.raw<PaletteCommand[]>([])
  selected = $state(0)
  error = $state<AppError | undefined>()

  readonly #xo: XoBridge
  readonly #options: PaletteOptions
  #sequence = 0

  constructor(xo: XoBridge, options: PaletteOptions) {
    this.#xo = xo
    this.#options = options
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
    const { verb, type, words } = parse(query)
    if (!verb && words.length === 0) {
      this.commands = []
      return
    }
    const name = words.join(' ').toLowerCase()
    const instances: PaletteCommand[] =
      !verb || (verb.kind === 'open' && !type)
        ? this.#options
            .instances()
            .filter((i) => i.label.toLowerCase().includes(name))
            .map((i) => ({
              id: `open:${i.id}`,
              label: m.palette_open({ label: i.label }),
              detail: m.palette_instance(),
              run: async () => {
                this.#options.openInstance(i.id)
                return undefined
              },
            }))
        : []
    // A verb alone searches nothing, unless it names a type: "open host" lists hosts.
    const collections = words.length > 0 || type ? searchedFor(verb, type) : []
    const pages = await Promise.all(collections.map((c) => this.#find(c, words)))
    if (sequence !== this.#sequence) return
    this.error = pages.find((p) => p.error)?.error
    this.commands = [
      ...instances,
      ...pages.flatMap(({ collection, items }) =>
        items.flatMap((object) => this.#commands(collection, object, verb)),
      ),
    ]
  }

  /** The objects of a collection whose name holds every word, across the instances. */
  async #find(
    collection: Searched,
    words: string[],
  ): Promise<{ collection: Searched; items: CrossInstanceObject[]; error?: AppError }> {
    const field = nameField(collection)
    const filter = words.map((w) => `${field}:${quoted(w)}`).join(' ')
    const res = await this.#xo.invoke('inventory.pageAll', {
      collection,
      offset: 0,
      limit: SHOWN[collection],
      sort: { field },
      ...(filter ? { filter } : {}),
    })
    return res.ok
      ? { collection, items: res.value.items }
      : { collection, items: [], error: res.error }
  }

  #commands(
    collection: Searched,
    object: CrossInstanceObject,
    verb: Verb | undefined,
  ): PaletteCommand[] {
    const instanceId = object.$instance.id
    const name = nameOf(collection, object)
    const key = `${instanceId}:${collection}:${object.id}`
    if (collection === 'vms' && verb?.kind !== 'open') {
      if (verb?.kind === 'export')
        return [
          {
            id: `${key}:export`,
            label: m.palette_export({ name }),
            detail: object.$instance.label,
            run: async () => {
              this.#options.exportVm({ instanceId, vmId: object.id, name })
              return undefined
            },
          },
        ]
      if (verb?.kind === 'snapshot') {
        const choice = actionsOf('vms', object).find((a) => a.id === 'snapshot')
        if (!choice) return []
        return [
          {
            id: `${key}:snapshot`,
            label: m.palette_snapshot({ name }),
            detail: object.$instance.label,
            run: async () => {
              this.#options.ask(choice, { instanceId, collection, id: object.id, name })
              return undefined
            },
          },
        ]
      }
      return this.#powerCommands(object, name, verb?.kind === 'power' ? verb.word : undefined)
    }
    return [
      {
        id: `${key}:open`,
        label: m.palette_open({ label: name }),
        detail: m.palette_object_detail({
          type: singularOf(collection),
          instance: object.$instance.label,
        }),
        run: async () => {
          this.#options.openObject({ instanceId, collection, id: object.id })
          return undefined
        },
      },
    ]
  }

  #powerCommands(
    vm: CrossInstanceObject,
    name: string,
    verb: string | undefined,
  ): PaletteCommand[] {
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

/**
 * The types a verb searches: without one, VMs (for their power actions) and every other type (to
 * open them); the VM verbs VMs only; "open" every type, or the one named.
 */
function searchedFor(verb: Verb | undefined, type: Searched | undefined): readonly Searched[] {
  if (verb && verb.kind !== 'open') return !type || type === 'vms' ? ['vms'] : []
  return type ? [type] : SEARCHED
}
