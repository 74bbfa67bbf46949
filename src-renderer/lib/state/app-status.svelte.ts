import type { AppError, AppInfo, Heartbeat, XoBridge } from '@contract'

/** What the status bar shows: who we are, and whether main is alive. */
export class AppStatus {
  info = $state<AppInfo | undefined>()
  error = $state<AppError | undefined>()
  lastHeartbeat = $state<Heartbeat | undefined>()

  readonly #xo: XoBridge

  constructor(xo: XoBridge) {
    this.#xo = xo
    // One subscription for the app's lifetime; components only read fields.
    xo.on('app.heartbeat', (beat) => (this.lastHeartbeat = beat))
  }

  async load(): Promise<void> {
    const res = await this.#xo.invoke('app.info', undefined)
    if (res.ok) {
      this.info = res.value
      this.error = undefined
    } else {
      this.error = res.error
    }
  }
}
