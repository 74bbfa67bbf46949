import type {
  AppError,
  InstanceId,
  ObjectStats,
  StatsCollection,
  StatsGranularity,
  XoBridge,
} from '@contract'

/** The object whose graphs are shown. */
export interface StatsRef {
  instanceId: InstanceId
  collection: StatsCollection
  id: string
}

/** How often XAPI adds a sample at each granularity (seconds 5 s, … days 1 day), in ms. */
export const SAMPLE_MS: Record<StatsGranularity, number> = {
  seconds: 5_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
}

/**
 * One object's stats graphs: read now, then again each time XAPI has a new sample, one request at
 * a time; an answer for a granularity the admin has since left is dropped.
 */
export class ObjectStatsState {
  granularity = $state<StatsGranularity>('seconds')
  /** Replaced whole on every answer, never changed in place: no deep proxy over ~1,000 numbers. */
  stats = $state.raw<ObjectStats | undefined>()
  error = $state<AppError | undefined>()
  loading = $state(false)

  readonly ref: StatsRef
  readonly #xo: XoBridge
  #running = false
  #inFlight = false
  /** A read was asked while one was in flight: made as soon as it ends. */
  #pending = false
  /** Bumped on each granularity change, so an older answer is recognised and dropped. */
  #generation = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(xo: XoBridge, ref: StatsRef) {
    this.#xo = xo
    this.ref = ref
  }

  /** Reads now and at each new sample until the returned function is called. */
  start(): () => void {
    this.#running = true
    void this.#read()
    return () => {
      this.#running = false
      this.#pending = false
      clearTimeout(this.#timer)
    }
  }

  setGranularity(granularity: StatsGranularity): void {
    if (granularity === this.granularity) return
    this.granularity = granularity
    this.#generation++
    // The charts of the old granularity would be labelled with the new one's time span.
    this.stats = undefined
    this.error = undefined
    if (this.#running) {
      clearTimeout(this.#timer)
      void this.#read()
    }
  }

  async #read(): Promise<void> {
    if (this.#inFlight) {
      this.#pending = true
      return
    }
    this.#inFlight = true
    this.loading = true
    const generation = this.#generation
    try {
      const res = await this.#xo.invoke('objects.stats', {
        ...this.ref,
        granularity: this.granularity,
      })
      if (generation === this.#generation) {
        if (res.ok) {
          this.stats = res.value
          this.error = undefined
        } else this.error = res.error
      }
    } finally {
      this.#inFlight = false
      this.loading = false
    }
    if (!this.#running) return
    if (this.#pending) {
      this.#pending = false
      void this.#read()
    } else this.#timer = setTimeout(() => void this.#read(), SAMPLE_MS[this.granularity])
  }
}
