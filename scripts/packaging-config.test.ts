import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<
  string,
  Record<string, unknown>
>

describe('electron-builder.yml', () => {
  it('flips the fuses that stop the packaged app from running as Node or loading code from outside its ASAR', () => {
    expect(config['electronFuses']).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    })
    expect(config['asar']).toBe(true)
  })

  it('builds an installer per OS: nsis, a hardened dmg, AppImage and deb', () => {
    expect(config['win']?.['target']).toEqual(['nsis'])
    expect(config['mac']).toMatchObject({ target: ['dmg'], hardenedRuntime: true })
    expect(config['linux']?.['target']).toEqual(['AppImage', 'deb'])
    expect(String(config['icon'])).toMatch(/^resources\/icon\.png$/)
  })

  it('grants the macOS app no entitlement beyond V8 JIT', () => {
    const plist = readFileSync('resources/entitlements.mac.plist', 'utf8')
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual([
      'com.apple.security.cs.allow-jit',
    ])
  })

  it('ships only the build output and package.json, not sources or tests', () => {
    expect(config['files']).toEqual(['out/**', 'package.json', '!**/*.map'])
  })
})
