import type { AppError, InstanceCertificate, InstanceSummary, XoBridge } from '@contract'

/** The Certificates screen: every saved instance's certificate, read by main with a handshake. */
export class CertificatesState {
  entries = $state<InstanceCertificate[]>([])
  loading = $state(false)
  loaded = $state(false)
  error = $state<AppError | undefined>()
  /** A failed "Trust", shown beside the instance it was for. */
  trustError = $state<{ instanceId: string; error: AppError } | undefined>()
  trusting = $state<string | undefined>()

  readonly #xo: XoBridge
  readonly #updated: (instance: InstanceSummary) => void

  constructor(xo: XoBridge, updated: (instance: InstanceSummary) => void) {
    this.#xo = xo
    this.#updated = updated
  }

  async load(): Promise<void> {
    this.loading = true
    const res = await this.#xo.invoke('instances.certificates', undefined)
    this.loading = false
    this.loaded = true
    if (res.ok) {
      this.entries = res.value
      this.error = undefined
    } else this.error = res.error
  }

  /** Pins the certificate the server presents now (the admin compared both fingerprints). */
  async trustPresented(entry: InstanceCertificate): Promise<void> {
    const fingerprint256 = entry.presented?.fingerprint256
    if (!fingerprint256) return
    this.trusting = entry.instanceId
    this.trustError = undefined
    try {
      const res = await this.#xo.invoke('instances.trust', {
        instanceId: entry.instanceId,
        fingerprint256,
      })
      if (!res.ok) {
        this.trustError = { instanceId: entry.instanceId, error: res.error }
        return
      }
      this.#updated(res.value)
    } finally {
      this.trusting = undefined
    }
    await this.load()
  }
}
