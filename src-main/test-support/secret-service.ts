import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** A private D-Bus session with a real Secret Service (gnome-keyring), for keychain tests. */
export interface SecretServiceSession {
  /** The session bus address, also set as this process's `DBUS_SESSION_BUS_ADDRESS`. */
  address: string
  /** The throwaway home the keyring files live in (`.local/share/keyrings/`). */
  home: string
  stop(): Promise<void>
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill()
  })
}

const execFileAsync = promisify(execFile)

/** Whether something owns the Secret Service name on the bus, asked without activating it. */
async function secretsNameOwned(env: NodeJS.ProcessEnv): Promise<boolean> {
  const { stdout } = await execFileAsync(
    'dbus-send',
    [
      '--session',
      '--dest=org.freedesktop.DBus',
      '--type=method_call',
      '--print-reply',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      'string:org.freedesktop.secrets',
    ],
    { env },
  )
  return /boolean true/.test(stdout)
}

/** Starts `dbus-daemon --session` alone: a bus on which nothing provides a Secret Service. */
export async function startSessionBus(
  home: string,
): Promise<{ address: string; bus: ChildProcess }> {
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, HOME: home },
  })
  const address = await new Promise<string>((resolve, reject) => {
    bus.once('error', reject)
    bus.once('exit', (code) =>
      reject(new Error(`dbus-daemon exited (${code}): apt-get install dbus`)),
    )
    bus.stdout?.once('data', (data) => resolve(String(data).trim()))
  })
  return { address, bus }
}

/**
 * Starts a session bus and `gnome-keyring-daemon` on it, with its login keyring created and
 * unlocked in a throwaway home (as a desktop login does), and points this process at it. The
 * keychain library reads `DBUS_SESSION_BUS_ADDRESS` when it connects, so call this before any
 * keychain access in the test file (Vitest runs each file in its own process).
 */
export async function startSecretService(
  ready: () => Promise<unknown>,
): Promise<SecretServiceSession> {
  const home = mkdtempSync(join(tmpdir(), 'xo-desk-keyring-'))
  const runtime = join(home, 'runtime')
  mkdirSync(join(home, '.cache'), { recursive: true })
  mkdirSync(runtime, { mode: 0o700 })
  const { address, bus } = await startSessionBus(home)
  const env = {
    ...process.env,
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    DBUS_SESSION_BUS_ADDRESS: address,
  }
  const keyring = spawn(
    'gnome-keyring-daemon',
    ['--foreground', '--unlock', '--components=secrets'],
    { env, stdio: ['pipe', 'ignore', 'ignore'] },
  )
  keyring.stdin?.end('xo-desk-test') // the login keyring's password, read by --unlock
  process.env['DBUS_SESSION_BUS_ADDRESS'] = address
  const stop = async (): Promise<void> => {
    await stopped(keyring)
    await stopped(bus)
    rmSync(home, { recursive: true, force: true })
  }
  // The daemon takes a moment to claim org.freedesktop.secrets. Asking the keychain before that
  // would make D-Bus start a second, locked daemon, so first wait for the name to have an owner.
  for (let attempt = 0; ; attempt++) {
    try {
      if (!(await secretsNameOwned(env)))
        throw new Error('org.freedesktop.secrets has no owner yet')
      await ready()
      return { address, home, stop }
    } catch (err) {
      if (attempt >= 50 || keyring.exitCode !== null) {
        await stop()
        throw new Error(
          `gnome-keyring-daemon did not start (apt-get install gnome-keyring): ${String(err)}`,
          { cause: err },
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
