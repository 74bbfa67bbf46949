// `npm run bench`: every benchmark, printed with the machine and date; record results in docs/benchmarks.md.
import { cpus, totalmem } from 'node:os'
import { benchClient } from './bench/client'
import { benchColdStart } from './bench/cold-start'
import { benchFirstRows } from './bench/first-rows'
import { benchPageAll } from './bench/page-all'
import { benchSimulator } from './bench/simulator'

console.log(`# XO Desk benchmarks — ${new Date().toISOString()}`)
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.versions.node}`,
)
console.log('\n## Simulator')
for (const line of await benchSimulator()) console.log(`- ${line}`)
console.log('\n## XO client')
for (const line of await benchClient()) console.log(`- ${line}`)
console.log('\n## First rows of the Demo lab (renderer in Chromium, e2e harness)')
for (const line of await benchFirstRows()) console.log(`- ${line}`)
console.log('\n## Cold start on a saved instance, XO unreachable (inventory snapshot on disk)')
for (const line of await benchColdStart()) console.log(`- ${line}`)
console.log('\n## All instances: one page across 2 × 10,000 VMs (inventory.pageAll)')
for (const line of await benchPageAll()) console.log(`- ${line}`)
