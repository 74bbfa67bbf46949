// An object's related objects, from the inventory alone: the Demo lab's records, kept with only the
// fields the inventory keeps (as XO's `fields` query returns them), so these tests also prove that
// those fields are enough to find every relation.
import type { RelatedGroup } from '@contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InventoryCache } from '../inventory/inventory-cache'
import { pickFields } from '../simulator/http/collection-response'
import { generateLab } from '../simulator/lab/generate'
import type { CollectionName, XoRecord } from '../simulator/lab/types'
import { bytes, relatedOf } from './relations'

let lab: Record<CollectionName, XoRecord[]>
let cache: InventoryCache

beforeAll(async () => {
  lab = generateLab({ seed: 'relations-test' }).collections
  cache = new InventoryCache({
    instanceId: 'lab',
    load: async (collection, fields) =>
      (lab[collection as CollectionName] ?? []).map((record) => pickFields(record, fields)),
  })
  await cache.sync()
})
afterAll(() => cache.dispose())

const record = (collection: CollectionName, id: unknown): XoRecord => {
  const found = lab[collection].find((r) => r.id === id)
  if (!found) throw new Error(`no ${collection} ${String(id)} in the lab`)
  return found
}

/** The relations of an object, keyed, each as the sorted ids of its items. */
function idsByRelation(groups: RelatedGroup[]): Record<string, string[]> {
  return Object.fromEntries(groups.map((g) => [g.relation, g.items.map((i) => i.id).sort()]))
}

const group = (groups: RelatedGroup[], relation: string): RelatedGroup => {
  const found = groups.find((g) => g.relation === relation)
  if (!found) throw new Error(`no ${relation} group in ${JSON.stringify(groups)}`)
  return found
}

const sorted = (ids: Iterable<unknown>): string[] => [...new Set(ids)].map(String).sort()

describe('a VM', () => {
  const runningWithSnapshots = (): XoRecord => {
    const vm = lab.vms.find(
      (v) => v['power_state'] === 'Running' && (v['snapshots'] as string[]).length > 0,
    )
    if (!vm) throw new Error('the lab has no running VM with snapshots')
    return vm
  }

  it('links to the host it runs on and its pool, by id and name', () => {
    const vm = runningWithSnapshots()
    const related = relatedOf(cache, { collection: 'vms', id: vm.id })
    const host = record('hosts', vm['$container'])
    const pool = record('pools', vm['$pool'])
    expect(group(related, 'host')).toEqual({
      relation: 'host',
      collection: 'hosts',
      items: [{ collection: 'hosts', id: host.id, name: host['name_label'], detail: 'Running' }],
    })
    expect(group(related, 'pool').items).toEqual([
      { collection: 'pools', id: pool.id, name: pool['name_label'] },
    ])
  })

  it('lists its disks with device and size, the SRs they are on, its interfaces and snapshots', () => {
    const vm = runningWithSnapshots()
    const related = relatedOf(cache, { collection: 'vms', id: vm.id })
    const vbds = (vm['$VBDs'] as string[]).map((id) => record('vbds', id))
    const diskVbds = vbds.filter((vbd) => !vbd['is_cd_drive'] && vbd['VDI'])
    const disks = diskVbds.map((vbd) => record('vdis', vbd['VDI']))
    const ids = idsByRelation(related)
    expect(ids['vdis']).toEqual(sorted(disks.map((d) => d.id)))
    expect(ids['srs']).toEqual(sorted(disks.map((d) => d['$SR'])))
    expect(ids['vifs']).toEqual(sorted(vm['VIFs'] as string[]))
    expect(ids['snapshots']).toEqual(
      sorted(lab['vm-snapshots'].filter((s) => s['$snapshot_of'] === vm.id).map((s) => s.id)),
    )
    const first = diskVbds[0]
    const disk = group(related, 'vdis').items.find((item) => item.id === first?.['VDI'])
    expect(disk?.detail).toBe(
      `${String(first?.['device'])} · ${bytes(record('vdis', disk?.id)['size'])}`,
    )
    const vif = record('vifs', (vm['VIFs'] as string[])[0])
    const network = record('networks', vif['$network'])
    expect(group(related, 'vifs').items.find((i) => i.id === vif.id)).toMatchObject({
      name: vif['device'],
      detail: expect.stringContaining(`${String(vif['MAC'])} · ${String(network['name_label'])}`),
    })
  })

  it('leaves an ISO in its CD drive out of its disks', () => {
    const cd = lab.vbds.find((v) => v['is_cd_drive'] && v['VDI'] && record('vms', v['VM']))
    if (!cd) throw new Error('the lab has no VM with an ISO inserted')
    const ids = idsByRelation(relatedOf(cache, { collection: 'vms', id: String(cd['VM']) }))
    expect(ids['vdis'] ?? []).not.toContain(cd['VDI'])
  })

  it('has no host when halted, and no empty groups', () => {
    const vm = lab.vms.find(
      (v) => v['power_state'] === 'Halted' && (v['snapshots'] as string[]).length === 0,
    )
    if (!vm) throw new Error('the lab has no halted VM without snapshots')
    const related = relatedOf(cache, { collection: 'vms', id: vm.id })
    expect(related.map((g) => g.relation)).not.toContain('host')
    expect(related.map((g) => g.relation)).not.toContain('snapshots')
    expect(related.every((g) => g.items.length > 0)).toBe(true)
  })
})

describe('a host', () => {
  it('lists the VMs resident on it, sorted by name, its devices, SRs and pool', () => {
    const host = lab.hosts.find((h) => lab.vms.some((v) => v['$container'] === h.id))
    if (!host) throw new Error('the lab has no host running a VM')
    const related = relatedOf(cache, { collection: 'hosts', id: host.id })
    const ids = idsByRelation(related)
    expect(ids['vms']).toEqual(
      sorted(lab.vms.filter((v) => v['$container'] === host.id).map((v) => v.id)),
    )
    const names = group(related, 'vms').items.map((i) => i.name)
    expect(names).toEqual(
      [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
    )
    expect(ids['pifs']).toEqual(
      sorted(lab.pifs.filter((p) => p['$host'] === host.id).map((p) => p.id)),
    )
    expect(ids['pcis']).toEqual(
      sorted(lab.pcis.filter((p) => p['$host'] === host.id).map((p) => p.id)),
    )
    expect(ids['srs']).toEqual(
      sorted(lab.pbds.filter((p) => p['host'] === host.id).map((p) => p['SR'])),
    )
    expect(ids['pool']).toEqual([host['$pool']])
  })
})

describe('an SR', () => {
  it('lists its VDIs with their size, the hosts connected to it and its pool', () => {
    const sr = lab.srs.find((s) => lab.vdis.some((v) => v['$SR'] === s.id))
    if (!sr) throw new Error('the lab has no SR with VDIs')
    const related = relatedOf(cache, { collection: 'srs', id: sr.id })
    const vdis = lab.vdis.filter((v) => v['$SR'] === sr.id)
    const ids = idsByRelation(related)
    expect(ids['vdis']).toEqual(sorted(vdis.map((v) => v.id)))
    expect(group(related, 'vdis').items.find((i) => i.id === vdis[0]?.id)?.detail).toBe(
      bytes(vdis[0]?.['size']),
    )
    expect(ids['hosts']).toEqual(
      sorted(lab.pbds.filter((p) => p['SR'] === sr.id).map((p) => p['host'])),
    )
    expect(ids['pool']).toEqual([sr['$pool']])
  })
})

describe('a pool', () => {
  it('names its master and lists its hosts, SRs and networks', () => {
    const pool = lab.pools[0] as XoRecord
    const ids = idsByRelation(relatedOf(cache, { collection: 'pools', id: pool.id }))
    const of = (collection: CollectionName) =>
      sorted(lab[collection].filter((r) => r['$pool'] === pool.id).map((r) => r.id))
    expect(ids).toMatchObject({
      master: [pool['master']],
      hosts: of('hosts'),
      srs: of('srs'),
      networks: of('networks'),
    })
  })
})

describe('disks and snapshots', () => {
  it('links a VDI to its SR, the VMs using it and its snapshots', () => {
    const vdi = lab.vdis.find((v) => lab['vdi-snapshots'].some((s) => s['$snapshot_of'] === v.id))
    if (!vdi) throw new Error('the lab has no snapshotted VDI')
    const ids = idsByRelation(relatedOf(cache, { collection: 'vdis', id: vdi.id }))
    expect(ids['srs']).toEqual([vdi['$SR']])
    expect(ids['vms']).toEqual(
      sorted(
        (vdi['$VBDs'] as string[])
          .map((id) => record('vbds', id)['VM'])
          .filter((id) => lab.vms.some((v) => v.id === id)),
      ),
    )
    expect(ids['snapshots']).toEqual(
      sorted(lab['vdi-snapshots'].filter((s) => s['$snapshot_of'] === vdi.id).map((s) => s.id)),
    )
  })

  it('links a VM snapshot to its VM and its disk snapshots', () => {
    const snapshot = lab['vm-snapshots'].find((s) => (s['$VBDs'] as string[]).length > 0)
    if (!snapshot) throw new Error('the lab has no VM snapshot with disks')
    const related = relatedOf(cache, { collection: 'vm-snapshots', id: snapshot.id })
    expect(idsByRelation(related)['vm']).toEqual([snapshot['$snapshot_of']])
    const disks = (snapshot['$VBDs'] as string[])
      .map((id) => record('vbds', id))
      .filter((vbd) => !vbd['is_cd_drive'] && vbd['VDI'])
      .map((vbd) => vbd['VDI'])
    expect(group(related, 'vdis')).toMatchObject({ collection: 'vdi-snapshots' })
    expect(idsByRelation(related)['vdis']).toEqual(sorted(disks))
  })
})

describe('a network', () => {
  it('lists the VMs plugged into it, their interfaces and the hosts’ PIFs', () => {
    const network = lab.networks.find((n) => lab.vifs.some((v) => v['$network'] === n.id))
    if (!network) throw new Error('the lab has no network with VIFs')
    const vifs = lab.vifs.filter((v) => v['$network'] === network.id)
    const ids = idsByRelation(relatedOf(cache, { collection: 'networks', id: network.id }))
    expect(ids['vifs']).toEqual(sorted(vifs.map((v) => v.id)))
    expect(ids['vms']).toEqual(
      sorted(vifs.map((v) => v['$VM']).filter((id) => lab.vms.some((vm) => vm.id === id))),
    )
    expect(ids['pifs']).toEqual(
      sorted(lab.pifs.filter((p) => p['$network'] === network.id).map((p) => p.id)),
    )
  })
})

describe('alarms, messages and tasks', () => {
  it('link to the object they are about, in its collection', () => {
    const alarm = lab.alarms.find((a) => (a['object'] as { type: string }).type === 'host')
    const message = lab.messages.find((m) => lab.vms.some((v) => v.id === m['$object']))
    const task = lab.tasks.find(
      (t) => (t['properties'] as { objectType?: string }).objectType === 'VM',
    )
    if (!alarm || !message || !task)
      throw new Error('the lab lacks a host alarm, VM message or VM task')
    expect(relatedOf(cache, { collection: 'alarms', id: alarm.id })).toEqual([
      expect.objectContaining({
        relation: 'object',
        collection: 'hosts',
        items: [expect.objectContaining({ id: (alarm['object'] as { uuid: string }).uuid })],
      }),
    ])
    expect(relatedOf(cache, { collection: 'messages', id: message.id })).toEqual([
      expect.objectContaining({
        relation: 'object',
        collection: 'vms',
        items: [expect.objectContaining({ id: message['$object'] })],
      }),
    ])
    expect(relatedOf(cache, { collection: 'tasks', id: task.id })).toEqual([
      expect.objectContaining({
        relation: 'object',
        collection: 'vms',
        items: [
          expect.objectContaining({ id: (task['properties'] as { objectId: string }).objectId }),
        ],
      }),
    ])
  })
})

describe('backup jobs', () => {
  it('list their schedules, and a schedule links to its job', () => {
    const schedule = lab.schedules[0] as XoRecord
    const job = record('backup-jobs', schedule['jobId'])
    expect(idsByRelation(relatedOf(cache, { collection: 'backup-jobs', id: job.id }))).toEqual({
      schedules: sorted(lab.schedules.filter((s) => s['jobId'] === job.id).map((s) => s.id)),
    })
    expect(relatedOf(cache, { collection: 'schedules', id: schedule.id })).toEqual([
      {
        relation: 'job',
        collection: 'backup-jobs',
        items: [{ collection: 'backup-jobs', id: job.id, name: job['name'] }],
      },
    ])
  })
})

it('has nothing for an id the inventory does not have', () => {
  expect(relatedOf(cache, { collection: 'vms', id: 'no-such-vm' })).toEqual([])
})
