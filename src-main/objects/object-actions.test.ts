// Each request of the inventory browser run on the Demo lab as a DeskTask: what XO changes, and
// what the Tasks panel is told along the way.
import type { DeskTask, ObjectAction } from '@contract'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../app-core'
import type { Instance } from '../instances/instance-registry'
import type { XoRecord } from '../simulator/lab/types'
import type { LabStore } from '../simulator/store'
import { DeskTasks } from '../tasks/desk-tasks'
import { TEST_CORE } from '../test-support/test-core'
import {
  actionRequest,
  deleteRequest,
  renameRequest,
  runDeskTask,
  type DeskRequest,
} from './object-actions'

const signal = (): AbortSignal => AbortSignal.timeout(30_000)

let core: AppCore
let instance: Instance
let store: LabStore
let published: DeskTask[]
let tasks: DeskTasks

beforeAll(async () => {
  core = createAppCore({
    ...TEST_CORE,
    demoLab: { life: false, seed: 'object-actions', actionDelayMs: 200 },
    log: () => undefined,
  })
  const opened = await core.dispatch('demo.open', undefined, signal())
  if (!opened.ok) throw new Error(opened.error.message)
  instance = core.instances.get('demo')
  await instance.live.ready(signal())
  store = core.demo.simulator?.lab.store as LabStore
})
afterAll(() => core.dispose())
beforeEach(() => {
  published = []
  tasks = new DeskTasks((task) => published.push(task))
})

/** Runs a request and waits for its task to end, as the Tasks panel would see it. */
async function run(request: DeskRequest): Promise<DeskTask> {
  const first = await runDeskTask(tasks, () => undefined, request, signal())
  for (let i = 0; i < 400; i++) {
    const task = tasks.get(first.id)
    if (task && task.status !== 'pending') return task
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('the task did not end')
}

const action = (input: ObjectAction & { id: string }): DeskRequest =>
  actionRequest(instance, { instanceId: 'demo', ...input })

const all = (collection: Parameters<LabStore['list']>[0]): XoRecord[] => [...store.list(collection)]

describe('a DeskTask', () => {
  it('is published pending with XO task id, then ended in success', async () => {
    const vm = all('vms').find((v) => v['power_state'] === 'Halted') as XoRecord
    const done = await run(action({ collection: 'vms', id: vm.id, action: 'start' }))
    expect(done).toMatchObject({
      status: 'success',
      object: { collection: 'vms', id: vm.id, name: vm['name_label'] },
    })
    const mine = published.filter((t) => t.id === done.id)
    expect(mine[0]).toMatchObject({ status: 'pending', taskId: '' })
    expect(mine.some((t) => t.status === 'pending' && t.taskId === done.taskId)).toBe(true)
    expect(mine.at(-1)).toEqual(done)
    expect(store.get('vms', vm.id)?.['power_state']).toBe('Running')
  })

  it('ends in failure with what XO said, naming the VM and the action, when XO’s task fails', async () => {
    const vm = all('vms').find((v) => v['power_state'] === 'Running') as XoRecord
    const done = await run(action({ collection: 'vms', id: vm.id, action: 'start' }))
    expect(done.status).toBe('failure')
    expect(done.taskId).not.toBe('')
    expect(done.error?.message).toMatch(
      new RegExp(`^Could not start ${String(vm['name_label'])}: `),
    )
    expect(done.error?.action).toBeTruthy()
  })
})

describe('what each request changes on XO', () => {
  it('creates a VM from a template in the template’s pool', async () => {
    const template = all('vm-templates')[0] as XoRecord
    const pool = String(template['$pool'])
    const done = await run(
      action({
        collection: 'pools',
        id: pool,
        action: 'create_vm',
        params: { template: template.id, name_label: 'made from a template' },
      }),
    )
    expect(done.status).toBe('success')
    const created = all('vms').find((v) => v['name_label'] === 'made from a template')
    expect(created?.['$pool']).toBe(pool)
  })

  it('runs a backup schedule now: XO has a task for it', async () => {
    const schedule = all('schedules')[0] as XoRecord
    const done = await run(action({ collection: 'schedules', id: schedule.id, action: 'run' }))
    expect(done.status).toBe('success')
    expect(store.get('tasks', done.taskId)?.['properties']).toMatchObject({
      objectId: schedule.id,
    })
  })

  it('disables a host and moves its running VMs to the other hosts of its pool', async () => {
    const host = all('hosts').find(
      (h) =>
        h['power_state'] === 'Running' &&
        all('vms').some((v) => v['$container'] === h.id) &&
        all('hosts').some(
          (o) => o.id !== h.id && o['$pool'] === h['$pool'] && o['power_state'] === 'Running',
        ),
    ) as XoRecord
    const resident = all('vms').filter((v) => v['$container'] === host.id)
    const request = action({
      collection: 'hosts',
      id: host.id,
      action: 'disable',
      params: { evacuate: true },
    })
    expect(request.destructive).toBe(true)
    expect(request.privileges).toContainEqual({ resource: 'host', action: 'evacuate' })
    expect((await run(request)).status).toBe('success')
    expect(store.get('hosts', host.id)?.['enabled']).toBe(false)
    for (const vm of resident) {
      const moved = store.get('vms', vm.id)
      expect(moved?.['$container']).not.toBe(host.id)
      expect(moved?.['power_state']).toBe(vm['power_state'])
    }
  })

  it('reverts a VM to one of its snapshots', async () => {
    const vm = all('vms').find(
      (v) => ((v['snapshots'] as string[] | undefined) ?? []).length > 0,
    ) as XoRecord
    const [snapshotId] = vm['snapshots'] as string[]
    const request = action({
      collection: 'vms',
      id: vm.id,
      action: 'revert_snapshot',
      params: { snapshotId: String(snapshotId), snapshotBefore: true },
    })
    expect(request.destructive).toBe(true)
    expect((await run(request)).status).toBe('success')
    expect((store.get('vms', vm.id)?.['snapshots'] as string[]).length).toBe(
      (vm['snapshots'] as string[]).length + 1,
    )
  })

  it('renames a VM and a disk, each with the field its route takes', async () => {
    const vm = all('vms')[0] as XoRecord
    const vdi = all('vdis')[0] as XoRecord
    expect((await run(renameRequest(instance, 'vms', vm.id, 'web-renamed'))).status).toBe('success')
    expect((await run(renameRequest(instance, 'vdis', vdi.id, 'disk-renamed'))).status).toBe(
      'success',
    )
    expect(store.get('vms', vm.id)?.['name_label']).toBe('web-renamed')
    expect(store.get('vdis', vdi.id)?.['name_label']).toBe('disk-renamed')
  })

  it('deletes a VM snapshot at once: the task has no XO task and ended when it answers', async () => {
    const snapshot = all('vm-snapshots')[0] as XoRecord
    const request = deleteRequest(instance, 'vm-snapshots', snapshot.id)
    expect(request.destructive).toBe(true)
    const done = await runDeskTask(tasks, () => undefined, request, signal())
    expect(done).toMatchObject({ status: 'success', taskId: '', action: 'delete' })
    expect(store.get('vm-snapshots', snapshot.id)).toBeUndefined()
  })

  it('asks no typed name for a migration, but does for a forced shutdown', () => {
    const vm = all('vms')[0] as XoRecord
    const host = all('hosts')[0] as XoRecord
    expect(
      action({ collection: 'vms', id: vm.id, action: 'migrate', params: { hostId: host.id } })
        .destructive,
    ).toBe(false)
    expect(action({ collection: 'vms', id: vm.id, action: 'hard_shutdown' }).destructive).toBe(true)
  })
})
