// First rows of a big Demo lab, end to end: the built renderer (out/renderer, `npm run build`) in
// Debian's Chromium, the e2e shim, and the real app core with a Demo lab of 10,000 VMs, wired as
// e2e/fixtures.ts wires them. Measures, from the click on "Open the Demo lab", the time until the
// first VM row is visible, how many times the simulator served the VM list (`GET /vms`) during the
// open, and the bytes of the `inventory.diff` events and page answers that crossed the bridge.
// Baseline in the same run: one plain `GET /rest/v0/vms?fields=…` of the same VMs with undici.
// Target: first rows within 1 s of the click, the VM list read once.
import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { chromium, type Browser } from '@playwright/test'
import { request } from 'undici'
import globalSetup from '../../e2e/global-setup'
import { RENDERER_DIR, SHIM_BUNDLE } from '../../e2e/harness/paths'
import { deliverEvents, exposeInvoke } from '../../e2e/harness/page-bridge'
import { serveDirectory } from '../../e2e/harness/static-server'
import { createAppCore } from '../../src-main/app-core'
import { DEFAULT_INVENTORY_FIELDS } from '../../src-main/inventory/inventory-cache'

const VMS = 10_000
const RUNS = 5
const TARGET_MS = 1_000
const VM_ROW = '[role="table"][aria-label="VMs"] .body [role="row"]'

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

// In the page, on the page's clock: when the button was clicked, when `demo.open` and the first
// VM page with rows came back through the bridge (the shim calls the binding this wraps), and when
// a VM row was first laid out. A string, so this file needs no DOM types (scripts are type-checked
// for Node).
const PAGE_PROBE = `
  window.__bench = { clickAt: 0, openAt: 0, vmPageAt: 0, rowAt: 0 }
  const invoke = window.__xoInvoke
  window.__xoInvoke = async (method, input) => {
    const text = await invoke(method, input) // JSON text, parsed by the shim
    const b = window.__bench
    if (method === 'demo.open' && !b.openAt) b.openAt = performance.now()
    if (method === 'inventory.page' && input.collection === 'vms' && !b.vmPageAt) {
      const result = JSON.parse(text)
      if (result.ok && result.value.items.length > 0) b.vmPageAt = performance.now()
    }
    return text
  }
  document.addEventListener('click', (e) => {
    if (!window.__bench.clickAt && e.target.closest('button')?.textContent.includes('Open the Demo lab'))
      window.__bench.clickAt = performance.now()
  }, true)
  new MutationObserver(() => {
    if (window.__bench.rowAt) return
    const row = document.querySelector(${JSON.stringify(VM_ROW)})
    if (row && row.getBoundingClientRect().height > 0) window.__bench.rowAt = performance.now()
  }).observe(document, { childList: true, subtree: true })
`

interface PageTimes {
  clickAt: number
  openAt: number
  vmPageAt: number
  rowAt: number
}

interface OpenRun {
  /** Click → first VM row laid out, on the page's clock. */
  firstRowMs: number
  /** Click → `demo.open` answered in the page (lab generation, simulator start, connect). */
  openMs: number
  /** `demo.open` answered → the first VM page with rows answered in the page. */
  vmPageMs: number
  /** That page answered → its first row laid out. */
  renderMs: number
  vmListReads: number
  /** `inventory.diff` events sent during the open (the first diffs). */
  diffBytes: number
  pageBytes: number
  /** A plain `GET /vms?fields=…` of the same lab, after the open. */
  plainListMs: number
}

async function openOnce(browser: Browser, rendererUrl: string, prepared = true): Promise<OpenRun> {
  const core = createAppCore({
    prepareDemoLab: prepared,
    appInfo: {
      name: 'XO Desk',
      version: 'bench',
      platform: process.platform,
      arch: process.arch,
      runtime: { node: process.versions.node },
    },
    openExternal: async () => undefined,
    heartbeatMs: 0,
    demoLab: { vms: VMS, life: false, seed: 'bench' },
    log: () => undefined,
  })
  const page = await browser.newPage()
  try {
    let diffBytes = 0
    let pageBytes = 0
    let firstDiffsDone = false
    await exposeInvoke(page, async (method, input) => {
      const result = await core.dispatch(method, input, AbortSignal.timeout(120_000))
      if (method === 'inventory.page' && !firstDiffsDone) pageBytes += JSON.stringify(result).length
      return result
    })
    const unsubscribe = deliverEvents(page, core.hub, (name, payload) => {
      if (name === 'inventory.diff' && !firstDiffsDone) diffBytes += JSON.stringify(payload).length
    })
    await page.addInitScript({ path: SHIM_BUNDLE })
    await page.addInitScript({ content: PAGE_PROBE })
    await page.goto(rendererUrl)

    await page.getByRole('button', { name: 'Open the Demo lab' }).click()
    await page.locator(VM_ROW).first().waitFor({ state: 'visible', timeout: 120_000 })
    const times = await page.evaluate(
      () => (globalThis as unknown as { __bench: PageTimes }).__bench,
    )

    // Let the open settle: the stream live, the cache synced, no VM list read for half a second.
    const sim = core.demo.simulator
    if (!sim) throw new Error('the Demo lab did not start')
    const listReads = (): number =>
      sim.lab.requests.filter((r) => /^GET \/vms(\?|$)/.test(r)).length
    const live = core.instances.get('demo').live
    for (let seen = -1, quietSince = performance.now(); ;) {
      const reads = listReads()
      if (reads !== seen) [seen, quietSince] = [reads, performance.now()]
      const settled = live.stream.status.state === 'live' && live.cache.synced
      if (settled && performance.now() - quietSince > 500) break
      await new Promise((r) => setTimeout(r, 50))
    }
    firstDiffsDone = true
    const vmListReads = listReads()
    unsubscribe()

    const fields = DEFAULT_INVENTORY_FIELDS['vms']?.join(',') ?? 'id'
    const url = `${sim.url}/vms?fields=${encodeURIComponent(fields)}`
    const plain = async (): Promise<number> => {
      const t0 = performance.now()
      const res = await request(url, { headers: { cookie: `authenticationToken=${sim.token}` } })
      await res.body.json()
      return performance.now() - t0
    }
    await plain() // warm-up
    const plainListMs = median([await plain(), await plain(), await plain()])

    return {
      firstRowMs: times.rowAt - times.clickAt,
      openMs: times.openAt - times.clickAt,
      vmPageMs: times.vmPageAt - times.openAt,
      renderMs: times.rowAt - times.vmPageAt,
      vmListReads,
      diffBytes,
      pageBytes,
      plainListMs,
    }
  } finally {
    await page.close()
    await core.dispose()
  }
}

export async function benchFirstRows(): Promise<string[]> {
  if (!existsSync(`${RENDERER_DIR}/index.html`))
    return [`first rows: skipped, no built renderer in ${RENDERER_DIR} (run \`npm run build\`)`]
  await globalSetup() // the e2e shim bundle, as Playwright's global setup builds it
  const server = await serveDirectory(RENDERER_DIR)
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  })
  try {
    await openOnce(browser, server.url) // warm-up: JIT, Chromium's caches
    const runs: OpenRun[] = []
    for (let i = 0; i < RUNS; i++) runs.push(await openOnce(browser, server.url))
    // The same open when the lab was not prepared while the welcome screen showed.
    const cold: OpenRun[] = []
    for (let i = 0; i < 3; i++) cold.push(await openOnce(browser, server.url, false))
    const m = (pick: (r: OpenRun) => number): number => median(runs.map(pick))
    const firstRow = m((r) => r.firstRowMs)
    const reads = runs.map((r) => r.vmListReads)
    const kb = (bytes: number): string => `${(bytes / 1e3).toFixed(1)} kB`
    const n = VMS.toLocaleString('en')
    return [
      `first VM row after clicking "Open the Demo lab" (${n} VMs, Chromium harness): ${firstRow.toFixed(0)} ms median of ${RUNS} (${runs.map((r) => r.firstRowMs.toFixed(0)).join(', ')}); target ≤ ${TARGET_MS} ms: ${firstRow <= TARGET_MS ? 'met' : 'NOT met'}`,
      `the same without preparing the lab while the welcome screen shows (generation after the click): ${median(cold.map((r) => r.firstRowMs)).toFixed(0)} ms median of 3, of which demo.open ${median(cold.map((r) => r.openMs)).toFixed(0)} ms`,
      `of which (medians, page clock): click → demo.open answered (lab generation, simulator start) ${m((r) => r.openMs).toFixed(0)} ms; → first VM page with rows answered (event stream, first read, bridge) ${m((r) => r.vmPageMs).toFixed(0)} ms; → its first row laid out ${m((r) => r.renderMs).toFixed(0)} ms`,
      `VM list reads (simulator served \`GET /vms\`) per open: ${reads.join(', ')}; target 1: ${reads.every((r) => r === 1) ? 'met' : 'NOT met'}`,
      `bridge bytes per open: inventory.diff events ${kb(m((r) => r.diffBytes))}, inventory.page answers ${kb(m((r) => r.pageBytes))}`,
      `baseline, same lab, same run: one plain undici \`GET /rest/v0/vms?fields=<${DEFAULT_INVENTORY_FIELDS['vms']?.length ?? 0} inventory fields>\` (JSON): ${m((r) => r.plainListMs).toFixed(0)} ms`,
    ]
  } finally {
    await browser.close()
    await server.close()
  }
}
