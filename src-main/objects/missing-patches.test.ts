// A host's missing patches through the router, against the Demo lab: like an XO without an XOA
// licence, the simulator refuses the list (403 "feature Unauthorized"); the admin is told why.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import { TEST_CORE } from '../test-support/test-core'

let core: AppCore
const signal = (): AbortSignal => AbortSignal.timeout(30_000)

beforeEach(async () => {
  core = createAppCore({
    ...TEST_CORE,
    demoLab: { life: false, seed: 'missing-patches-test' },
    log: () => undefined,
  })
  expect(await core.dispatch('demo.open', undefined, signal())).toMatchObject({ ok: true })
  await core.instances.get('demo').live.stream.whenLive(signal())
})
afterEach(() => core.dispose())

it('says that XO lists a host’s missing patches only with a licence, and what to do instead', async () => {
  const host = [...(core.demo.simulator?.lab.store.list('hosts') ?? [])][0]
  const res = await core.dispatch(
    'objects.patches',
    { instanceId: 'demo', id: String(host?.id) },
    signal(),
  )
  expect(res).toMatchObject({
    ok: false,
    error: {
      code: 'forbidden',
      message: expect.stringContaining(
        `does not list the patches ${String(host?.['name_label'])} lacks`,
      ),
      action: expect.stringContaining('yum check-update'),
    },
  })
})
