// `npm test`: lint, typecheck, build, Vitest, Playwright; then one line summing every runner,
// `N passed, N failed`, which CI reads (it does not read Vitest's or Playwright's own summaries).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

const results = 'test-results'
mkdirSync(results, { recursive: true })
let passed = 0
let failed = 0

function run(label, command, args, env = {}) {
  console.log(`\n▶ ${label}: ${[command, ...args].join(' ')}`)
  const res = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  return res.status === 0
}

function finish() {
  console.log(`\n${passed} passed, ${failed} failed`)
  process.exit(failed === 0 ? 0 : 1)
}

// Checks that must hold before any test is worth running; each counts as one result.
for (const [label, script] of [
  ['lint', 'lint'],
  ['typecheck', 'typecheck'],
  ['build', 'build'],
]) {
  if (run(label, 'npm', ['run', '--silent', script])) passed++
  else {
    failed++
    console.error(`✗ ${label} failed: fix it, then run \`npm test\` again.`)
    finish()
  }
}

const vitestJson = `${results}/vitest.json`
rmSync(vitestJson, { force: true })
run('unit and integration tests (Vitest)', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${vitestJson}`,
])
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'))
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)
  passed += r.numPassedTests
  failed += r.numFailedTests + (r.success || r.numFailedTests > 0 ? 0 : 1)
} else failed++

/** Runs one Playwright config and adds its counts; a run that ran nothing counts as a failure. */
function playwright(label, name, extraArgs) {
  const json = `${results}/${name}.json`
  rmSync(json, { force: true })
  run(label, 'npx', ['playwright', 'test', ...extraArgs, '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: json,
  })
  if (!existsSync(json)) return void failed++
  const s = JSON.parse(readFileSync(json, 'utf8')).stats
  console.log(`${name}: ${s.expected} passed, ${s.unexpected + s.flaky} failed`)
  passed += s.expected
  failed += s.unexpected + s.flaky + (s.expected + s.unexpected + s.flaky === 0 ? 1 : 0)
}

playwright('end-to-end tests (Playwright, Chromium)', 'e2e', [])
// The screenshot journeys, so that `npm run screenshots` cannot break unnoticed.
playwright('screenshot journeys (Playwright, Chromium)', 'screenshots', [
  '-c',
  'playwright.screenshots.config.ts',
])

finish()
