import type { AppCoreOptions } from '../app-core'

/**
 * What every test's app core shares: who the app says it is, no system browser, no heartbeat, and
 * no Demo lab prepared in the background unless the test asks. Spread it, then add what the test
 * is about: `createAppCore({ ...TEST_CORE, storage, log })`.
 */
export const TEST_CORE = {
  appInfo: {
    name: 'XO Desk',
    version: '0',
    platform: 'linux',
    arch: 'x64',
    runtime: { node: '24' },
  },
  openExternal: async () => undefined,
  heartbeatMs: 0,
  prepareDemoLab: false,
} satisfies Partial<AppCoreOptions>
