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

  it('keeps the simulator and the XO client apart; both may use the shared XO model', async () => {
    const client = "import { XoClient } from '../xo/client'\nexport const a = XoClient\n"
    expect(await restrictedImports(client, 'src-main/simulator/server.ts')).toBe(1)
    expect(await restrictedImports(client, 'src-main/simulator/routes/crud.test.ts')).toBe(1)
    const sim =
      "import { startSimulator } from '../simulator/server'\nexport const a = startSimulator\n"
    // Refused twice: the client may not use the simulator, and never past its entry.
    expect(await restrictedImports(sim, 'src-main/xo/client.ts')).toBe(2)
    const model =
      "import { XO_TYPE_OF_COLLECTION } from '../xo-model/xo-types'\nexport const a = XO_TYPE_OF_COLLECTION\n"
    expect(await restrictedImports(model, 'src-main/simulator/store.ts')).toBe(0)
    expect(await restrictedImports(model, 'src-main/xo/client.ts')).toBe(0)
  })

  it('lets product code start the simulator only through its entry', async () => {
    const deep =
      "import { startSimulator } from '../simulator/server'\nexport const a = startSimulator\n"
    const entry = "import { startSimulator } from '../simulator'\nexport const a = startSimulator\n"
    expect(await restrictedImports(deep, 'src-main/instances/demo-lab.ts')).toBe(1)
    expect(await restrictedImports(entry, 'src-main/instances/demo-lab.ts')).toBe(0)
    // Tests may start a simulator however they need.
    expect(await restrictedImports(deep, 'src-main/inventory/live-inventory.test.ts')).toBe(0)
  })

  it('keeps test helpers out of product code', async () => {
    const code = "import { call } from '../test-support/simulator-call'\nexport const a = call\n"
    expect(await restrictedImports(code, 'src-main/simulator/server.ts')).toBe(1)
    expect(await restrictedImports(code, 'src-main/formats/vhd.ts')).toBe(1)
    expect(await restrictedImports(code, 'src-main/simulator/events.test.ts')).toBe(0)
  })

  it('keeps services independent of the IPC layer', async () => {
    const code = "import { schemas } from '../ipc/schemas'\nexport const a = schemas\n"
    expect(await restrictedImports(code, 'src-main/inventory/inventory-cache.ts')).toBe(1)
    expect(await restrictedImports(code, 'src-main/instances/connect.ts')).toBe(1)
    expect(await restrictedImports(code, 'src-main/audit/audit-log.ts')).toBe(1)
    expect(await restrictedImports(code, 'src-main/app-core.ts')).toBe(0)
  })
})
