import type {
  AddInstanceInput,
  AppError,
  InstanceSummary,
  ServerInspection,
  SignInInput,
  XoBridge,
} from '@contract'

/** The environments offered in the form; any other label can be typed. */
export const ENVIRONMENTS = ['production', 'staging', 'lab'] as const

/**
 * The "Add an XO" form: details, then (for a certificate no CA of this computer vouches for) the
 * trust step, then saving. The password and token live in this form only until main has them.
 */
export class AddInstanceForm {
  name = $state('')
  address = $state('')
  method = $state<'token' | 'password'>('token')
  token = $state('')
  user = $state('')
  password = $state('')
  otp = $state('')
  environment = $state<string>('production')
  color = $state('#2f6fde')
  readOnly = $state(false)
  /** Keep the token in memory only (this computer has no usable keychain). */
  sessionOnly = $state(false)

  step = $state<'details' | 'trust'>('details')
  busy = $state(false)
  error = $state<AppError | undefined>()
  inspection = $state<ServerInspection | undefined>()

  readonly #xo: XoBridge
  readonly #done: (added: InstanceSummary) => void
  #trust: AddInstanceInput['trust'] | undefined

  constructor(xo: XoBridge, done: (added: InstanceSummary) => void) {
    this.#xo = xo
    this.#done = done
  }

  get complete(): boolean {
    const credentials =
      this.method === 'token' ? this.token.trim() !== '' : this.user !== '' && this.password !== ''
    return this.name.trim() !== '' && this.address.trim() !== '' && credentials
  }

  /** Looks at the server; saves at once when its certificate needs no decision. */
  async submit(): Promise<void> {
    this.error = undefined
    this.busy = true
    try {
      const seen = await this.#xo.invoke('instances.inspect', { address: this.address })
      if (!seen.ok) {
        this.error = seen.error
        return
      }
      this.inspection = seen.value
      if (seen.value.certificate && !seen.value.trustedBySystem) {
        this.step = 'trust'
        return
      }
      await this.#save({ kind: 'system' })
    } finally {
      this.busy = false
    }
  }

  /** The admin compared the fingerprint and trusts this certificate for this instance only. */
  async trust(): Promise<void> {
    const fingerprint256 = this.inspection?.certificate?.fingerprint256
    if (!fingerprint256) return
    this.busy = true
    try {
      await this.#save({ kind: 'pinned', fingerprint256 })
    } finally {
      this.busy = false
    }
  }

  /** After "the keychain cannot be reached": the same instance, its token kept until the app quits. */
  async keepForSessionOnly(): Promise<void> {
    if (!this.#trust) return
    this.sessionOnly = true
    this.busy = true
    try {
      await this.#save(this.#trust)
    } finally {
      this.busy = false
    }
  }

  /** The organisation's CA (PEM), as an alternative to pinning this one certificate. */
  caPem = $state('')

  /** Trust the server through the organisation's certificate authority instead of a pin. */
  async trustCa(): Promise<void> {
    if (this.caPem.trim() === '') return
    this.busy = true
    try {
      await this.#save({ kind: 'ca', caPem: [this.caPem.trim()] })
    } finally {
      this.busy = false
    }
  }

  back(): void {
    this.step = 'details'
    this.inspection = undefined
  }

  async #save(trust: AddInstanceInput['trust']): Promise<void> {
    this.#trust = trust
    const signIn: SignInInput =
      this.method === 'token'
        ? { method: 'token', token: this.token.trim() }
        : {
            method: 'password',
            user: this.user,
            password: this.password,
            ...(this.otp.trim() ? { otp: this.otp.trim() } : {}),
          }
    const res = await this.#xo.invoke('instances.add', {
      name: this.name.trim(),
      address: this.inspection?.url ?? this.address,
      environment: this.environment.trim() || 'production',
      color: this.color,
      readOnly: this.readOnly,
      trust,
      signIn,
      tokenStorage: this.sessionOnly ? 'session' : 'keychain',
    })
    if (!res.ok) {
      this.error = res.error
      this.step = 'details'
      return
    }
    this.#trust = undefined
    // Main has the token now; the form forgets the secrets.
    this.token = ''
    this.password = ''
    this.otp = ''
    this.#done(res.value)
  }
}
