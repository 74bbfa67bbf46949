// The renderer's messages (src-renderer/i18n): the compiler really loads them, and English and
// French say the same things with the same placeholders.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { compile } from '@inlang/paraglide-js'

const i18n = resolve(import.meta.dirname, '../src-renderer/i18n')

type Catalogue = Record<string, unknown>

async function catalogue(locale: string): Promise<Catalogue> {
  const text = await readFile(join(i18n, 'messages', `${locale}.json`), 'utf8')
  const { $schema: _schema, ...messages } = JSON.parse(text) as Catalogue
  return messages
}

/** Every `{name}` a message uses, across all its plural variants. */
function placeholders(message: unknown): string[] {
  const texts: string[] = []
  const walk = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (value && typeof value === 'object') {
      const { match } = value as { match?: Record<string, string> }
      if (match) Object.values(match).forEach(walk)
    }
  }
  walk(message)
  const names = texts.flatMap((t) => [...t.matchAll(/(?<!\\)\{([^{}]+)\}/g)].map((r) => r[1] ?? ''))
  return [...new Set(names)].sort()
}

const outdir = await mkdtemp(join(tmpdir(), 'xo-desk-paraglide-'))
afterAll(() => rm(outdir, { recursive: true, force: true }))

describe('the renderer messages', () => {
  it('compile into one function per English message', async () => {
    // A plugin the compiler cannot load is skipped silently: the output then has no message at all.
    await compile({ project: join(i18n, 'project.inlang'), outdir, emitTsDeclarations: false })
    const generated = (await import(
      pathToFileURL(join(outdir, 'messages', '_index.js')).href
    )) as Record<string, (inputs?: Record<string, unknown>, options?: { locale: string }) => string>
    const english = await catalogue('en')
    expect(Object.keys(english).length).toBeGreaterThan(100)
    expect(Object.keys(generated).sort()).toEqual(Object.keys(english).sort())
    expect(generated['welcome_title']?.({}, { locale: 'fr' })).toBe('Bienvenue dans XO Desk')
    expect(generated['certs_days_left']?.({ count: 1 }, { locale: 'en' })).toBe('1 day left')
    expect(generated['certs_days_left']?.({ count: 3 }, { locale: 'en' })).toBe('3 days left')
  })

  it('are all translated into French, with the same placeholders', async () => {
    const english = await catalogue('en')
    const french = await catalogue('fr')
    expect(Object.keys(french).sort()).toEqual(Object.keys(english).sort())
    for (const key of Object.keys(english)) {
      expect({ key, placeholders: placeholders(french[key]) }).toEqual({
        key,
        placeholders: placeholders(english[key]),
      })
    }
  })
})
