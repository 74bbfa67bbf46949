import { fork } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { configDir } from './config-dir'
import { ConfigStore, CONFIG_FILE } from './config-store'
import {
  CONFIG_VERSION,
  DEFAULT_COLOR,
  type ConfigFile,
  type InstanceConfig,
} from './instance-config'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xo-desk-config-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const instance = (id: string, overrides: Partial<InstanceConfig> = {}): InstanceConfig => ({
  id,
  name: `XO ${id}`,
  url: `https://${id}.example.net/rest/v0`,
  color: '#aa3300',
  environment: 'production',
  signIn: { method: 'token' },
  readOnly: false,
  trust: { kind: 'system' },
  tokenStorage: 'keychain',
  ...overrides,
})

const add =
  (item: InstanceConfig) =>
  (c: ConfigFile): ConfigFile => ({ ...c, instances: [...c.instances, item] })

describe('the instance list on disk', () => {
  it('starts empty on a first start, and keeps what was saved for the next start', async () => {
    const store = new ConfigStore(dir)
    expect((await store.load()).config.instances).toEqual([])
    await store.update(add(instance('prod')))
    const again = await new ConfigStore(dir).load()
    expect(again.config.instances.map((i) => i.id)).toEqual(['prod'])
    expect(again.notices).toEqual([])
  })

  it('keeps a corrupt file aside, tells the user where, and starts without it', async () => {
    await writeFile(join(dir, CONFIG_FILE), '{"version": 2, "instances": [')
    const { config, notices } = await new ConfigStore(dir).load()
    expect(config.instances).toEqual([])
    expect(notices).toHaveLength(1)
    expect(notices[0]?.message).toContain('not valid JSON')
    const files = await readdir(dir)
    const aside = files.find((f) => f.startsWith(`${CONFIG_FILE}.unreadable-`))
    expect(aside).toBeDefined()
    expect(notices[0]?.action).toContain(aside)
    expect(await readFile(join(dir, aside ?? ''), 'utf8')).toBe('{"version": 2, "instances": [')
  })

  it('drops only the entry that fails its check, naming it, and keeps the others', async () => {
    const good = instance('dr')
    const bad = { ...instance('lab'), url: 'not a url' }
    await writeFile(join(dir, CONFIG_FILE), JSON.stringify({ version: 2, instances: [bad, good] }))
    const { config, notices } = await new ConfigStore(dir).load()
    expect(config.instances).toEqual([good])
    expect(notices.map((n) => n.message)).toEqual([
      expect.stringContaining('instance 1 ("XO lab"): url'),
    ])
  })

  it('refuses a file written by a newer XO Desk without overwriting it', async () => {
    const newer = JSON.stringify({ version: 99, instances: [] })
    await writeFile(join(dir, CONFIG_FILE), newer)
    const { notices } = await new ConfigStore(dir).load()
    expect(notices[0]?.message).toContain('newer XO Desk')
    const aside = (await readdir(dir)).find((f) => f.includes('unreadable'))
    expect(await readFile(join(dir, aside ?? ''), 'utf8')).toBe(newer)
  })

  it('migrates a version 1 file: names, URLs and pinned fingerprints carry over', async () => {
    const fp = 'ab'.repeat(32)
    await writeFile(
      join(dir, CONFIG_FILE),
      JSON.stringify({
        version: 1,
        instances: [
          { id: 'prod', label: 'Production', url: 'https://xo.prod/rest/v0', fingerprint: fp },
          { id: 'lab', label: 'Lab', url: 'https://xo.lab/rest/v0' },
        ],
      }),
    )
    const store = new ConfigStore(dir)
    const { config, notices } = await store.load()
    expect(notices).toEqual([])
    expect(config.instances).toEqual([
      expect.objectContaining({
        id: 'prod',
        name: 'Production',
        color: DEFAULT_COLOR,
        trust: { kind: 'pinned', fingerprint256: fp.toUpperCase().match(/../g)?.join(':') },
      }),
      expect.objectContaining({ id: 'lab', name: 'Lab', trust: { kind: 'system' } }),
    ])
    // The next save writes the current version.
    await store.update((c) => c)
    expect(JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8')).version).toBe(CONFIG_VERSION)
  })

  it('loses no edit when many saves of this process run at once', async () => {
    const store = new ConfigStore(dir)
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update(add(instance(`xo-${i}`)))))
    const { config } = await new ConfigStore(dir).load()
    expect(config.instances.map((i) => i.id).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `xo-${i}`).sort(),
    )
  })

  it('loses no edit when two processes (the app and the CLI) save at the same moment', async () => {
    const writers = ['a', 'b'].map((prefix) =>
      fork(join(import.meta.dirname, '../test-support/config-writer.ts'), [dir, prefix, '25'], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    )
    const exits = writers.map(
      (p) => new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code))),
    )
    await Promise.all(writers.map((p) => new Promise((resolve) => p.once('message', resolve))))
    for (const p of writers) p.send('go')
    expect(await Promise.all(exits)).toEqual([0, 0])
    const ids = (await new ConfigStore(dir).load()).config.instances.map((i) => i.id)
    expect(ids).toHaveLength(50)
    expect(new Set(ids).size).toBe(50)
  })

  it('leaves no temporary or lock file behind, and no file readable by other users', async () => {
    const store = new ConfigStore(dir)
    await store.update(add(instance('prod')))
    expect(await readdir(dir)).toEqual([CONFIG_FILE])
    const { mode } = await import('node:fs/promises').then((fs) => fs.stat(join(dir, CONFIG_FILE)))
    if (process.platform !== 'win32') expect(mode & 0o077).toBe(0)
  })
})

describe('the config folder', () => {
  it('is XO_DESK_CONFIG_DIR when set, else the folder Electron names userData', () => {
    expect(configDir({ XO_DESK_CONFIG_DIR: '/portable/xo' }, 'linux', '/home/ann')).toBe(
      '/portable/xo',
    )
    expect(configDir({}, 'linux', '/home/ann')).toBe('/home/ann/.config/XO Desk')
    expect(configDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ann')).toBe('/cfg/XO Desk')
    expect(configDir({}, 'darwin', '/Users/ann')).toBe(
      '/Users/ann/Library/Application Support/XO Desk',
    )
    expect(
      configDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann'),
    ).toContain('XO Desk')
  })
})
