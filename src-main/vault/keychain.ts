import { AsyncEntry } from '@napi-rs/keyring'
import { AppFailure } from '../app-failure'

/** Where a secret is kept between runs; the OS keychain in the app, memory in tests. */
export interface SecretStore {
  /** The secret, or undefined when none is stored. */
  read(account: string): Promise<string | undefined>
  write(account: string, secret: string): Promise<void>
  /** True when a secret was there and is now gone. */
  erase(account: string): Promise<boolean>
}

/** The keychain entries' service name: one entry per instance, the instance id as the account. */
export const KEYCHAIN_SERVICE = 'xo-desk'

/** What the keychain is called where the user would look for it. */
function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'the macOS Keychain'
  if (platform === 'win32') return 'the Windows Credential Manager'
  return 'the Secret Service (GNOME Keyring, KWallet or KeePassXC)'
}

/**
 * The readable failure for a keychain error of `@napi-rs/keyring`. Its errors are plain messages
 * (keyring-rs `Error` variants: `PlatformFailure`, `NoStorageAccess`), so the words decide.
 */
export function keychainFailure(
  err: unknown,
  platform: NodeJS.Platform = process.platform,
): AppFailure {
  const text = err instanceof Error ? err.message : String(err)
  const name = keychainName(platform)
  if (/locked|prompt was dismissed|user canceled|interaction not allowed/i.test(text)) {
    return new AppFailure(
      'keychain-locked',
      `${name} is locked, so XO Desk cannot read or save the token.`,
      'Unlock it (sign in to your desktop session or open your keyring app), then try again.',
      true,
    )
  }
  const install =
    platform === 'linux'
      ? 'Install and start a Secret Service, e.g. `sudo apt install gnome-keyring`, and sign in to a desktop session; or keep the token for this session only.'
      : 'Check that the keychain works for other apps, then try again; or keep the token for this session only.'
  return new AppFailure(
    'keychain-unavailable',
    `XO Desk cannot reach ${name} on this computer (${text.replace(/\.$/, '')}), so it cannot save the token.`,
    install,
  )
}

/**
 * Secrets in the operating system's keychain through `@napi-rs/keyring` (N-API, prebuilt for every
 * desktop OS): macOS Keychain, Windows Credential Manager, Secret Service on Linux. Every failure is
 * an `AppFailure` saying what to do; never a fallback to a file.
 */
export class KeychainStore implements SecretStore {
  constructor(
    readonly service: string = KEYCHAIN_SERVICE,
    readonly platform: NodeJS.Platform = process.platform,
  ) {}

  async read(account: string): Promise<string | undefined> {
    return (await this.#run(() => this.#entry(account).getPassword())) ?? undefined
  }

  async write(account: string, secret: string): Promise<void> {
    await this.#run(() => this.#entry(account).setPassword(secret))
  }

  async erase(account: string): Promise<boolean> {
    return this.#run(() => this.#entry(account).deletePassword())
  }

  /** Whether the keychain answers at all: a read of an entry that never exists. */
  async check(): Promise<void> {
    await this.read('xo-desk-availability-check')
  }

  // On Linux the library falls back to the kernel keyring when no Secret Service answers; that
  // keyring forgets everything at logout, so a "saved" token would silently vanish. Fail instead.
  #entry(account: string): AsyncEntry {
    return new AsyncEntry(this.service, account, { linux: { store: 'secret-service' } })
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (err) {
      throw keychainFailure(err, this.platform)
    }
  }
}

/** A store in memory: for tests, and the session-only choice when no keychain exists. */
export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, string>()

  async read(account: string): Promise<string | undefined> {
    return this.#secrets.get(account)
  }

  async write(account: string, secret: string): Promise<void> {
    this.#secrets.set(account, secret)
  }

  async erase(account: string): Promise<boolean> {
    return this.#secrets.delete(account)
  }
}
