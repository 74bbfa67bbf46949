// With no Secret Service (a Linux without GNOME Keyring or KWallet), the keychain fails with a
// message saying what to install, and never falls back to a file. Its own file: the D-Bus address
// is per process.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { startSessionBus } from '../test-support/secret-service'
import { KeychainStore } from './keychain'

const home = mkdtempSync(join(tmpdir(), 'xo-desk-nokeyring-'))
let bus: ChildProcess | undefined
afterAll(() => {
  bus?.kill()
  rmSync(home, { recursive: true, force: true })
})

async function failureOf(work: Promise<unknown>): Promise<AppFailure> {
  try {
    await work
  } catch (err) {
    if (err instanceof AppFailure) return err
    throw err
  }
  throw new Error('the keychain answered')
}

describe.runIf(process.platform === 'linux')('no Secret Service on this Linux', () => {
  // The library keeps a bus connection once it has one: the case without a bus comes first.

  it('says the token cannot be saved and what to install, when there is no session bus at all', async () => {
    process.env['DBUS_SESSION_BUS_ADDRESS'] = `unix:path=${join(home, 'no-bus-here')}`
    const failure = await failureOf(new KeychainStore('xo-desk-test', 'linux').read('prod'))
    expect(failure.appError.code).toBe('keychain-unavailable')
    expect(failure.appError.action).toContain('gnome-keyring')
  })

  it('says the same when a session bus runs but nothing on it keeps secrets', async () => {
    const started = await startSessionBus(home)
    bus = started.bus
    process.env['DBUS_SESSION_BUS_ADDRESS'] = started.address
    const failure = await failureOf(new KeychainStore('xo-desk-test', 'linux').write('prod', 'tok'))
    expect(failure.appError.code).toBe('keychain-unavailable')
    expect(failure.appError.message).toContain('cannot save the token')
    expect(failure.appError.message).not.toContain('tok)')
    expect(failure.appError.action).toContain('sudo apt install gnome-keyring')
    expect(failure.appError.action).toContain('this session only')
  })
})
