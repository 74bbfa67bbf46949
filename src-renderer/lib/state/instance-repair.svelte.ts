import type { AppError, InstanceSummary, ServerInspection, XoBridge } from '@contract'
import { m } from '../../paraglide/messages.js'

/** Why an instance stopped (or soon will), when the admin can repair it from here. */
export type Problem = 'sign-in' | 'certificate' | 'expiring' | undefined

/** How long before a token's expiry XO Desk starts asking for a new one. */
export const EXPIRY_WARNING_MS = 7 * 24 * 3600_000

/** "in 3 days", "in 5 hours", "in 12 minutes". */
export function timeLeft(until: number, now: number = Date.now()): string {
  const ms = Math.max(0, until - now)
  if (ms >= 2 * 24 * 3600_000) return m.repair_in_days({ count: Math.floor(ms / (24 * 3600_000)) })
  if (ms >= 2 * 3600_000) return m.repair_in_hours({ count: Math.floor(ms / 3600_000) })
  return m.repair_in_minutes({ count: Math.max(1, Math.floor(ms / 60_000)) })
}

const SIGN_IN_CODES = new Set(['auth-invalid', 'auth-expired'])

/** The repair an instance's state calls for, if any. */
export function problemOf(
  instance: InstanceSummary | undefined,
  now: number = Date.now(),
): Problem {
  if (!instance || instance.kind === 'demo') return undefined
  if (instance.live.state === 'stopped') {
    const code = instance.live.error?.code
    if (code && SIGN_IN_CODES.has(code)) return 'sign-in'
    if (code === 'tls-changed') return 'certificate'
  }
  const expires = instance.tokenExpiresAt
  if (expires !== undefined && expires - now < EXPIRY_WARNING_MS) return 'expiring'
  return undefined
}

/**
 * Signing in again after a token expired or was revoked, and trusting a replaced certificate
 * after comparing both fingerprints. The instance's settings stay as they are.
 */
export class InstanceRepair {
  method = $state<'token' | 'password'>('token')
  token = $state('')
  user = $state('')
  password = $state('')
  otp = $state('')
  busy = $state(false)
  error = $state<AppError | undefined>()
  presented = $state<ServerInspection | undefined>()

  readonly #xo: XoBridge
  readonly #done: (updated: InstanceSummary) => void

  constructor(xo: XoBridge, done: (updated: InstanceSummary) => void) {
    this.#xo = xo
    this.#done = done
  }

  async signIn(instance: InstanceSummary): Promise<void> {
    await this.#run(async () => {
      const res = await this.#xo.invoke('instances.signIn', {
        instanceId: instance.id,
        signIn:
          this.method === 'token'
            ? { method: 'token', token: this.token.trim() }
            : {
                method: 'password',
                user: this.user,
                password: this.password,
                ...(this.otp.trim() ? { otp: this.otp.trim() } : {}),
              },
      })
      this.token = ''
      this.password = ''
      this.otp = ''
      return res
    })
  }

  /** Reads the certificate the server presents now (nothing is sent but the handshake). */
  async inspect(instance: InstanceSummary): Promise<void> {
    this.error = undefined
    const res = await this.#xo.invoke('instances.inspect', { address: instance.url })
    if (res.ok) this.presented = res.value
    else this.error = res.error
  }

  async trustPresented(instance: InstanceSummary): Promise<void> {
    const fingerprint256 = this.presented?.certificate?.fingerprint256
    if (!fingerprint256) return
    await this.#run(() =>
      this.#xo.invoke('instances.trust', { instanceId: instance.id, fingerprint256 }),
    )
  }

  async #run(
    call: () => Promise<{ ok: true; value: InstanceSummary } | { ok: false; error: AppError }>,
  ): Promise<void> {
    this.busy = true
    this.error = undefined
    try {
      const res = await call()
      if (res.ok) this.#done(res.value)
      else this.error = res.error
    } finally {
      this.busy = false
    }
  }
}
