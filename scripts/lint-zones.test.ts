import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()
async function restrictedImports(code: string, filePath: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath })
  return result?.messages.filter((m) => m.ruleId === 'no-restricted-imports').length ?? -1
}

describe('layering enforced by lint', () => {
  it('refuses electron outside the four glue files', async () => {
    const code = "import { app } from 'electron'\nexport const a = app\n"
    expect(await restrictedImports(code, 'src-main/xo/client.ts')).toBe(1)
    expect(await restrictedImports(code, 'src-preload/bridge.ts')).toBe(1)
    expect(await restrictedImports(code, 'src-main/ipc/electron-binding.ts')).toBe(0)
    expect(await restrictedImports(code, 'src-preload/index.ts')).toBe(0)
  })

  it('lets the renderer import the contract only as types, and nothing from main or Node', async () => {
    const file = 'src-renderer/lib/state/example.svelte.ts'
    expect(
      await restrictedImports(
        "import type { AppError } from '@contract'\nexport type A = AppError\n",
        file,
      ),
    ).toBe(0)
    expect(
      await restrictedImports("import { ok } from '@contract'\nexport const a = ok\n", file),
    ).toBe(1)
    expect(
      await restrictedImports(
        "import { x } from '../../../src-main/app-core'\nexport const a = x\n",
        file,
      ),
    ).toBe(1)
    expect(
      await restrictedImports(
        "import { readFile } from 'node:fs'\nexport const a = readFile\n",
        file,
      ),
    ).toBe(1)
    expect(
      await restrictedImports("import { request } from 'undici'\nexport const a = request\n", file),
    ).toBe(1)
  })

  it('keeps the contract free of imports from outside its folder', async () => {
    const code = "import { z } from 'zod'\nexport const a = z\n"
    expect(await restrictedImports(code, 'src-preload/contract/app.ts')).toBe(1)
  })
})
