// The token store against a real Secret Service: gnome-keyring on a private D-Bus session,
// started here in a throwaway home (.ci/run installs dbus and gnome-keyring).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigStore } from '../instances/config-store'
import { startSecretService, type SecretServiceSession } from '../test-support/secret-service'
import { KeychainStore } from './keychain'

const store = new KeychainStore('xo-desk-test')
let session: SecretServiceSession
beforeAll(async () => {
  // Ready once a secret can be written: the daemon has then created and unlocked its keyring.
  session = await startSecretService(async () => {
    await store.write('ready-check', 'x')
    await store.erase('ready-check')
  })
})
afterAll(() => session?.stop())

/** Every file under `dir`, recursively, with its bytes. */
async function filesUnder(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    out.push({ path, bytes: await readFile(path) })
  }
  return out
}

describe('tokens in the OS keychain (Secret Service)', () => {
  it('stores, reads back and deletes a token, one entry per instance', async () => {
    await store.write('prod', 'token-of-prod')
    await store.write('lab', 'token-of-lab')
    expect(await store.read('prod')).toBe('token-of-prod')
    expect(await store.read('lab')).toBe('token-of-lab')
    expect(await store.erase('prod')).toBe(true)
    expect(await store.read('prod')).toBeUndefined()
    expect(await store.read('lab')).toBe('token-of-lab')
    expect(await store.erase('prod')).toBe(false)
  })

  it('never puts the token in a file of the config folder, nor in clear in the keyring files', async () => {
    const configFolder = await mkdtemp(join(tmpdir(), 'xo-desk-cfg-'))
    try {
      const token = `secret-${process.pid}-${Date.now()}`
      await new ConfigStore(configFolder).update((c) => ({
        ...c,
        instances: [
          {
            id: 'prod',
            name: 'Production',
            url: 'https://xo.prod.example/rest/v0',
            color: '#aa0000',
            environment: 'production',
            signIn: { method: 'token' },
            readOnly: false,
            trust: { kind: 'system' },
            tokenStorage: 'keychain',
          },
        ],
      }))
      await store.write('prod', token)
      const files = [...(await filesUnder(configFolder)), ...(await filesUnder(session.home))]
      expect(files.some((f) => f.path.endsWith('instances.json'))).toBe(true)
      expect(files.some((f) => f.path.includes('keyrings'))).toBe(true)
      expect(files.filter((f) => f.bytes.includes(token)).map((f) => f.path)).toEqual([])
      expect(await store.read('prod')).toBe(token)
    } finally {
      await rm(configFolder, { recursive: true, force: true })
    }
  })
})
