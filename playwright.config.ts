import { defineConfig, type Project } from '@playwright/test'
import { electronBinary } from './e2e/electron-binary'

// Which project runs which spec, by file name:
// - `*.electron.spec.ts` only against the real app: what only Electron can show (context
//   isolation, sandbox); plain Chromium never has Node's globals, so there it would prove nothing.
// - `*.harness.spec.ts` and `demo-lab.spec.ts` only in the browser harness: they read what the
//   harness records (IPC traffic, main's log) or drive its in-process simulator (faults, lab
//   state), which the packaged app does not expose.
// - every other spec in both.
const chromium: Project = {
  name: 'chromium',
  testIgnore: ['*.electron.spec.ts'],
  use: {
    browserName: 'chromium',
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download is impossible offline.
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
}

// The same specs against the real app, only where an Electron binary exists (never on CI here).
const electron: Project = {
  name: 'electron',
  use: { appMode: 'electron' } as object,
  testIgnore: ['demo-lab.spec.ts', '*.harness.spec.ts'],
}
const hasElectron = electronBinary() !== undefined
if (!hasElectron && !process.env['TEST_WORKER_INDEX']) {
  console.log(
    'e2e: no Electron binary here, so only the chromium project runs (install Electron to also run the electron project).',
  )
}

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  workers: 1, // 2-core machines
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  tsconfig: './tsconfig.e2e.json',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: hasElectron ? [chromium, electron] : [chromium],
})
