import type { XoRecord } from './lab/types'
import { setVmPower } from './lab-mutations'
import type { Simulation } from './simulation'

/**
 * The lab's background life, so the Demo lab feels like a real XO with other admins and busy
 * guests: running VMs' memory use drifts, and now and then a VM is started or shut down through
 * a task, as a colleague's click would. Off in tests (`life: false`).
 */
export function startLife(sim: Simulation, everyMs = 3_000): () => void {
  let tick = 0
  const timer = setInterval(() => lifeTick(sim, ++tick), everyMs)
  timer.unref()
  return () => clearInterval(timer)
}

/** One beat of the lab's life; `tick` counts beats, so what happens is the same for a seed. */
export function lifeTick(sim: Simulation, tick: number): void {
  const vms = [...sim.store.list('vms')]
  if (vms.length === 0) return
  const pick = (list: XoRecord[]): XoRecord | undefined =>
    list[(tick * 7919) % Math.max(1, list.length)]

  // Metrics: a few running VMs' memory usage moves by a few percent.
  const running = vms.filter((vm) => vm['power_state'] === 'Running')
  for (let i = 0; i < Math.min(3, running.length); i++) {
    const vm = running[(tick * 31 + i * 17) % running.length] as XoRecord
    const memory = vm['memory'] as { size: number; usage?: number } | undefined
    if (!memory || memory.usage === undefined) continue
    const drift = 1 + (((tick + i) % 7) - 3) / 100
    const usage = Math.min(
      memory.size,
      Math.max(memory.size * 0.1, Math.round(memory.usage * drift)),
    )
    sim.store.update('vms', vm.id, { memory: { ...memory, usage } })
  }

  // Power: every tenth tick, a colleague starts a halted VM or cleanly shuts down a running one.
  if (tick % 10 !== 0) return
  const halted = vms.filter(
    (vm) =>
      vm['power_state'] === 'Halted' &&
      !(vm['tags'] as string[] | undefined)?.includes('keep-halted'),
  )
  const starting = tick % 20 === 0
  const vm = starting ? pick(halted) : pick(running)
  if (!vm) return
  const { outcome } = sim.tasks.run(
    {
      name: starting ? 'REST API: start VM' : 'REST API: clean shutdown VM',
      type: 'xo:rest-api:action',
      objectType: 'VM',
      objectId: vm.id,
      userId: sim.adminUserId,
    },
    async () => {
      await new Promise((r) => setTimeout(r, sim.actionDelayMs))
      if (sim.store.get('vms', vm.id)?.['power_state'] === (starting ? 'Halted' : 'Running')) {
        setVmPower(sim, vm.id, starting ? 'Running' : 'Halted')
      }
    },
  )
  outcome.catch(() => undefined)
}
