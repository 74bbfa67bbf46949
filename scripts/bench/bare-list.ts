// The baseline of the VM-view frame figures, measured in the same Chromium and run: a list with no
// framework, no data layer and no IPC — 10,000 rows of 10 text cells, a pool of absolutely placed
// rows refilled on scroll — scrolled 200 px per frame, then refreshed with 1,000 row changes a
// second (10 per 10 ms tick, visible rows redrawn). What it cannot do, the app cannot either here.
import type { Browser } from '@playwright/test'

const PAGE = `<!doctype html><meta charset="utf-8"><style>
  body { margin: 0; font: 15px system-ui, sans-serif }
  #body { height: 728px; overflow: auto; border: 1px solid #ccc }
  .row { position: absolute; left: 0; right: 0; height: 34px; display: grid;
    grid-template-columns: 2.2rem 220px 116px 140px 130px 56px 80px 120px 160px 288px 1fr;
    align-items: center; border-bottom: 1px solid #ddd }
  .row span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: 0 .5rem }
</style><div id="body"><div id="rows" style="position: relative; height: 340000px"></div></div>
<script>
  const ROW = 34, N = 10000, POOL = 22 + 24
  const data = Array.from({ length: N }, (_, i) => ['☐', 'vm-' + String(i).padStart(5, '0'),
    i % 3 ? 'Running' : 'Halted', 'Production', 'xcp-prod-0' + (i % 5), '8', '8 GiB',
    '10.0.' + (i % 250) + '.' + (i % 200), 'prod', 'Shut down · Reboot · Export…'])
  const rows = document.getElementById('rows'), body = document.getElementById('body')
  const pool = Array.from({ length: POOL }, () => {
    const el = document.createElement('div'); el.className = 'row'
    for (let c = 0; c < 10; c++) el.appendChild(document.createElement('span'))
    rows.appendChild(el); return el
  })
  let first = -1
  const draw = (force) => {
    const start = Math.max(0, Math.floor(body.scrollTop / ROW) - 12)
    if (!force && start === first) return
    first = start
    pool.forEach((el, k) => {
      const i = start + k; if (i >= N) return
      el.style.top = i * ROW + 'px'
      data[i].forEach((text, c) => { if (el.children[c].textContent !== text) el.children[c].textContent = text })
    })
  }
  body.addEventListener('scroll', () => draw(false))
  draw(true)
  window.updates = (perTick) => setInterval(() => {
    for (let k = 0; k < perTick; k++) { const i = (Math.random() * N) | 0; data[i] = [...data[i]]; data[i][6] = (1 + (Math.random() * 16) | 0) + ' GiB' }
    draw(true)
  }, 10)
</script>`

const FRAMES = `({ px, ms, scroll }) => new Promise((resolve) => {
  const body = document.getElementById('body')
  const max = body.scrollHeight - body.clientHeight
  const frames = []
  let start = 0, last = 0, top = 0
  const step = (t) => {
    if (start) frames.push(t - last); else start = t
    last = t
    if (t - start >= ms) return resolve(frames)
    if (scroll) { top = top + px > max ? 0 : top + px; body.scrollTop = top }
    requestAnimationFrame(step)
  }
  requestAnimationFrame(step)
})`

export interface BareListFrames {
  /** Frame times while scrolling `px` per frame, ms. */
  scrolling: number[]
  /** Frame times under the updates, ms. */
  updating: number[]
}

export async function bareListFrames(
  browser: Browser,
  px: number,
  ms: number,
  updatesPerSecond: number,
): Promise<BareListFrames> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  try {
    await page.setContent(PAGE)
    const scrolling = (await page.evaluate(
      `(${FRAMES})(${JSON.stringify({ px, ms, scroll: true })})`,
    )) as number[]
    await page.evaluate(`window.updates(${Math.round(updatesPerSecond / 100)})`)
    const updating = (await page.evaluate(
      `(${FRAMES})(${JSON.stringify({ px, ms, scroll: false })})`,
    )) as number[]
    return { scrolling, updating }
  } finally {
    await page.close()
  }
}
