import { defineConfig } from '@playwright/test'
import base from './playwright.config'

/** `npm run screenshots`: the same harness as the e2e tests, running only e2e/screenshots/. */
export default defineConfig({
  ...base,
  testDir: 'e2e/screenshots',
  testMatch: '*.shots.ts',
  projects: base.projects?.filter((p) => p.name === 'chromium'),
  reporter: [['list']],
})
