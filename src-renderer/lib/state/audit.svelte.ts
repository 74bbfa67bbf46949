import type { AppError, AuditEntry, AuditExport, XoBridge } from '@contract'

/** How many entries the view shows; the export has them all. */
export const SHOWN = 500

/** The audit log view: main's entries, newest first, read again when an action's task ends. */
export class AuditState {
  entries = $state<AuditEntry[]>([])
  error = $state<AppError | undefined>()
  loaded = $state(false)
  exporting = $state(false)

  readonly #xo: XoBridge

  constructor(xo: XoBridge) {
    this.#xo = xo
  }

  async load(): Promise<void> {
    const res = await this.#xo.invoke('audit.list', { limit: SHOWN })
    this.loaded = true
    if (res.ok) {
      this.entries = res.value
      this.error = undefined
    } else this.error = res.error
  }

  /** Loads now and after each task end (its outcome is recorded then); returns the unsubscribe. */
  watch(): () => void {
    void this.load()
    return this.#xo.on('task.progress', (task) => {
      if (task.status !== 'pending') void this.load()
    })
  }

  /** The whole log as a file's name and text, or undefined (with `error` set) when main refused. */
  async export(format: 'csv' | 'json'): Promise<AuditExport | undefined> {
    this.exporting = true
    try {
      const res = await this.#xo.invoke('audit.export', { format })
      if (res.ok) return res.value
      this.error = res.error
      return undefined
    } finally {
      this.exporting = false
    }
  }
}
