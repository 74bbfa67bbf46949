// `npm run bench`: every benchmark, printed with the machine and date; record results in docs/benchmarks.md.
import { cpus, totalmem } from 'node:os'
import { benchClient } from './bench/client'
import { benchColdStart } from './bench/cold-start'
import { benchConsoleRelay } from './bench/console-relay'
import { benchFirstRows } from './bench/first-rows'
import { benchPageAll } from './bench/page-all'
import { benchSimulator } from './bench/simulator'
import { benchTransfers } from './bench/transfers'
import { benchVmView } from './bench/vm-view'

console.log(`# XO Desk benchmarks — ${new Date().toISOString()}`)
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.versions.node}`,
)
// `npm run bench -- transfers client`: only the sections named (by their key below).
const only = process.argv.slice(2)
const sections: [key: string, title: string, run: () => Promise<string[]>][] = [
  ['simulator', 'Simulator', benchSimulator],
  ['client', 'XO client', benchClient],
  ['first-rows', 'First rows of the Demo lab (renderer in Chromium, e2e harness)', benchFirstRows],
  [
    'cold-start',
    'Cold start on a saved instance, XO unreachable (inventory snapshot on disk)',
    benchColdStart,
  ],
  ['vm-view', 'VM view at 10,000 VMs (renderer in Chromium, e2e harness)', benchVmView],
  ['console-relay', 'VM console relay: XO socket → main → renderer port', benchConsoleRelay],
  ['page-all', 'All instances: one page across 2 × 10,000 VMs (inventory.pageAll)', benchPageAll],
  [
    'transfers',
    'Transfers: the engine vs curl (bench disks of BENCH_DISK_SIZE, default 4 GiB)',
    benchTransfers,
  ],
]
const unknown = only.filter((key) => !sections.some(([k]) => k === key))
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; known: ${sections.map(([k]) => k).join(', ')}`,
  )
  process.exit(2)
}
for (const [key, title, run] of sections) {
  if (only.length > 0 && !only.includes(key)) continue
  console.log(`\n## ${title}`)
  for (const line of await run()) console.log(`- ${line}`)
}
