import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import { TEST_CORE } from '../test-support/test-core'
import { MemorySecretStore } from '../vault/keychain'
import { AppSettingsStore, SETTINGS_FILE } from './app-settings'

const signal = new AbortController().signal
let dir: string
const cores: AppCore[] = []

/** An app started on the same config folder, as after a restart. */
function start(): AppCore {
  const core = createAppCore({
    ...TEST_CORE,
    storage: { configDir: join(dir, 'config'), secrets: new MemorySecretStore() },
    libraryDir: join(dir, 'default-library'),
    log: () => undefined,
  })
  cores.push(core)
  return core
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xo-desk-settings-'))
})
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.dispose()))
  rmSync(dir, { recursive: true, force: true })
})

describe('app settings', () => {
  it('keeps the transfer limits and the library folder across a restart', async () => {
    const first = start()
    await first.dispatch('instances.notices', undefined, signal)
    expect(
      await first.dispatch('transfers.configure', { parallel: 3, bandwidthLimit: 1 << 20 }, signal),
    ).toMatchObject({ ok: true })
    const chosen = join(dir, 'my library')
    expect(await first.dispatch('library.setFolder', { path: chosen }, signal)).toMatchObject({
      ok: true,
      value: { root: chosen },
    })
    await first.dispose()

    const again = start()
    await again.dispatch('instances.notices', undefined, signal)
    expect(await again.dispatch('transfers.settings', undefined, signal)).toEqual({
      ok: true,
      value: { parallel: 3, bandwidthLimit: 1 << 20 },
    })
    expect(again.library.root).toBe(chosen)
  })

  it('refuses a library folder given as a relative path, and keeps the one in use', async () => {
    const core = start()
    await core.dispatch('instances.notices', undefined, signal)
    const res = await core.dispatch('library.setFolder', { path: 'exports' }, signal)
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(core.library.root).toBe(join(dir, 'default-library'))
  })

  it('starts on the defaults when settings.json is damaged', async () => {
    const config = join(dir, 'config')
    mkdirSync(config, { recursive: true })
    writeFileSync(join(config, SETTINGS_FILE), '{"transfers": {"parallel": "many"}')
    const core = start()
    await core.dispatch('instances.notices', undefined, signal)
    expect(await core.dispatch('transfers.settings', undefined, signal)).toEqual({
      ok: true,
      value: { parallel: 2 },
    })
  })

  it('keeps the browser columns and saved searches for the next start, over the defaults', async () => {
    const core = start()
    await core.dispatch('instances.notices', undefined, signal)
    expect(await core.dispatch('prefs.get', undefined, signal)).toEqual({
      ok: true,
      value: { locale: 'system', density: 'comfortable', columns: {}, searches: [] },
    })
    const columns = {
      'demo/vms': { visible: ['name_label', 'power_state'], widths: { name_label: 240 } },
    }
    const searches = [
      {
        id: 's1',
        instanceId: 'demo',
        collection: 'vms' as const,
        name: 'Running',
        filter: 'power_state:Running',
      },
    ]
    await core.dispatch('prefs.set', { columns }, signal)
    expect(
      await core.dispatch('prefs.set', { searches, locale: 'fr', density: 'compact' }, signal),
    ).toEqual({
      ok: true,
      value: { locale: 'fr', density: 'compact', columns, searches },
    })
    // Each key given is replaced whole; the others stay.
    expect(await core.dispatch('prefs.set', { columns: {} }, signal)).toMatchObject({
      value: { locale: 'fr', columns: {}, searches },
    })
    await core.dispatch('prefs.set', { columns }, signal)

    const lines: string[] = []
    const again = new AppSettingsStore(join(dir, 'config'), (line) => lines.push(line))
    expect((await again.read()).browser).toEqual({
      locale: 'fr',
      density: 'compact',
      columns,
      searches,
    })
    expect(lines).toEqual([])
  })

  it('drops damaged browser preferences with a log line, and keeps the other settings', async () => {
    const config = join(dir, 'config')
    mkdirSync(config, { recursive: true })
    writeFileSync(
      join(config, SETTINGS_FILE),
      JSON.stringify({ libraryDir: '/srv/library', browser: { locale: 'klingon', columns: 3 } }),
    )
    const lines: string[] = []
    const store = new AppSettingsStore(config, (line) => lines.push(line))
    expect(await store.read()).toEqual({ libraryDir: '/srv/library' })
    expect(lines).toEqual([expect.stringContaining('browser preferences')])
    expect(await store.updateBrowser({ locale: 'en' })).toEqual({
      locale: 'en',
      density: 'comfortable',
      columns: {},
      searches: [],
    })
    expect(await store.read()).toMatchObject({
      libraryDir: '/srv/library',
      browser: { locale: 'en' },
    })
  })

  it('reads settings saved before the density choice existed as comfortable, keeping the rest', async () => {
    const config = join(dir, 'config')
    mkdirSync(config, { recursive: true })
    writeFileSync(
      join(config, SETTINGS_FILE),
      JSON.stringify({ browser: { locale: 'fr', columns: {}, searches: [] } }),
    )
    const lines: string[] = []
    const store = new AppSettingsStore(config, (line) => lines.push(line))
    expect((await store.read()).browser).toEqual({
      locale: 'fr',
      density: 'comfortable',
      columns: {},
      searches: [],
    })
    expect(lines).toEqual([])
  })
})
