import type {
  DeletableCollection,
  InventoryCollection,
  ObjectAction,
  Row,
  TaggableCollection,
} from '@contract'
import { m } from '../../paraglide/messages.js'
import { valueAt } from './cells'

/** What an action asks before it runs, besides a confirmation. */
export type ActionForm =
  /** A name for what it creates (snapshot, clone, new VM), prefilled. */
  | { kind: 'name'; label: string; initial: string }
  /** A destination host (and SR) for a VM. */
  | { kind: 'migrate-vm' }
  /** A destination SR for a disk. */
  | { kind: 'migrate-vdi' }
  /** A new name. */
  | { kind: 'rename'; initial: string }
  | { kind: 'tag' }

/**
 * An action a row or an object's details offer: what it is called, whether it needs a
 * confirmation (and the object's typed name on a production instance), and the request it sends.
 */
export interface ActionChoice {
  id: string
  label: string
  /** Shown while it runs: "Snapshotting…". */
  pending: string
  /** Cannot be undone or cuts users off: confirmed first, in the danger colour. */
  danger?: boolean
  /** What the confirmation says it does. */
  consequence?: string
  form?: ActionForm
  /** Offered on several selected rows at once. */
  bulk?: boolean
  /** The request, given what the form gathered. */
  request: (id: string, form: FormValues) => ActionRequest
}

export interface FormValues {
  name?: string
  hostId?: string
  srId?: string
  tag?: string
}

/** One request to main: `objects.action`, `objects.delete`, `objects.rename` or `objects.tag`. */
export type ActionRequest =
  | { method: 'objects.action'; action: ObjectAction; id: string }
  | { method: 'objects.delete'; collection: DeletableFrom; id: string }
  | { method: 'objects.rename'; collection: 'vms' | 'vdis'; id: string; name: string }
  | {
      method: 'objects.tag'
      collection: TaggableCollection
      id: string
      tag: string
      present: boolean
    }

type DeletableFrom = DeletableCollection

const vm =
  (action: ObjectAction): ((id: string) => ActionRequest) =>
  (id) => ({
    method: 'objects.action',
    action,
    id,
  })

const del = (collection: DeletableFrom, what: string): ActionChoice => ({
  id: 'delete',
  label: m.act_delete(),
  pending: m.act_pending_delete(),
  danger: true,
  bulk: true,
  consequence: m.act_delete_consequence({ what }),
  request: (id) => ({ method: 'objects.delete', collection, id }),
})

/** The power actions of a VM in a power state, in XAPI's rules. */
function vmPower(state: string): ActionChoice[] {
  const start: ActionChoice = {
    id: 'start',
    label: m.vm_start(),
    pending: m.vm_pending_start(),
    bulk: true,
    request: vm({ collection: 'vms', action: 'start' }),
  }
  const shutdown: ActionChoice = {
    id: 'clean_shutdown',
    label: m.vm_shut_down(),
    pending: m.vm_pending_clean_shutdown(),
    bulk: true,
    consequence: m.act_shutdown_consequence(),
    request: vm({ collection: 'vms', action: 'clean_shutdown' }),
  }
  const reboot: ActionChoice = {
    id: 'clean_reboot',
    label: m.vm_reboot(),
    pending: m.vm_pending_clean_reboot(),
    bulk: true,
    request: vm({ collection: 'vms', action: 'clean_reboot' }),
  }
  const force = (action: 'hard_shutdown' | 'hard_reboot'): ActionChoice => ({
    id: action,
    label: action === 'hard_shutdown' ? m.vm_force_shutdown() : m.act_force_reboot(),
    pending: action === 'hard_shutdown' ? m.vm_pending_hard_shutdown() : m.vm_pending_hard_reboot(),
    danger: true,
    bulk: true,
    consequence: m.act_force_consequence(),
    request: vm({ collection: 'vms', action }),
  })
  const simple = (
    action: 'pause' | 'unpause' | 'suspend' | 'resume',
    label: string,
    pending: string,
  ): ActionChoice => ({
    id: action,
    label,
    pending,
    bulk: true,
    request: vm({ collection: 'vms', action }),
  })
  switch (state) {
    case 'Halted':
      return [start]
    case 'Running':
      return [
        shutdown,
        reboot,
        simple('suspend', m.act_suspend(), m.vm_pending_suspend()),
        simple('pause', m.act_pause(), m.vm_pending_pause()),
        force('hard_shutdown'),
        force('hard_reboot'),
      ]
    case 'Paused':
      return [simple('unpause', m.vm_resume(), m.vm_pending_unpause()), force('hard_shutdown')]
    case 'Suspended':
      return [simple('resume', m.vm_resume(), m.vm_pending_resume()), force('hard_shutdown')]
    default:
      return []
  }
}

const tagAction = (collection: TaggableCollection): ActionChoice => ({
  id: 'tag',
  label: m.act_tag(),
  pending: m.act_pending_tag(),
  bulk: true,
  form: { kind: 'tag' },
  request: (id, form) => ({
    method: 'objects.tag',
    collection,
    id,
    tag: form.tag ?? '',
    present: true,
  }),
})

/** Every action an object offers in its current state, in menu order. */
export function actionsOf(
  collection: InventoryCollection,
  row: Row<InventoryCollection>,
): ActionChoice[] {
  const name = String(valueAt(row, 'name_label') ?? '')
  switch (collection) {
    case 'vms': {
      const state = String(valueAt(row, 'power_state') ?? '')
      return [
        ...vmPower(state),
        {
          id: 'snapshot',
          label: m.act_snapshot(),
          pending: m.act_pending_snapshot(),
          bulk: true,
          form: {
            kind: 'name',
            label: m.act_snapshot_name(),
            initial: m.act_snapshot_initial({ name }),
          },
          request: (id, form) => ({
            method: 'objects.action',
            action: {
              collection: 'vms',
              action: 'snapshot',
              ...(form.name ? { params: { name_label: form.name } } : {}),
            },
            id,
          }),
        },
        {
          id: 'clone',
          label: m.act_clone(),
          pending: m.act_pending_clone(),
          form: { kind: 'name', label: m.act_clone_name(), initial: m.act_clone_initial({ name }) },
          request: (id, form) => ({
            method: 'objects.action',
            action: {
              collection: 'vms',
              action: 'clone',
              ...(form.name ? { params: { name_label: form.name } } : {}),
            },
            id,
          }),
        },
        ...(state === 'Running' || state === 'Halted'
          ? [
              {
                id: 'migrate',
                label: m.act_migrate(),
                pending: m.act_pending_migrate(),
                form: { kind: 'migrate-vm' },
                request: (id: string, form: FormValues): ActionRequest => ({
                  method: 'objects.action',
                  action: {
                    collection: 'vms',
                    action: 'migrate',
                    params: {
                      hostId: form.hostId ?? '',
                      ...(form.srId ? { srId: form.srId } : {}),
                    },
                  },
                  id,
                }),
              } satisfies ActionChoice,
            ]
          : []),
        {
          id: 'rename',
          label: m.act_rename(),
          pending: m.act_pending_rename(),
          form: { kind: 'rename', initial: name },
          request: (id, form) => ({
            method: 'objects.rename',
            collection: 'vms',
            id,
            name: form.name ?? '',
          }),
        },
        tagAction('vms'),
        ...(state === 'Halted' ? [del('vms', m.act_delete_what_vm())] : []),
      ]
    }
    case 'vm-snapshots': {
      const of = String(valueAt(row, '$snapshot_of') ?? '')
      return [
        ...(of
          ? [
              {
                id: 'revert',
                label: m.act_revert(),
                pending: m.act_pending_revert(),
                danger: true,
                consequence: m.act_revert_consequence(),
                request: (id: string): ActionRequest => ({
                  method: 'objects.action',
                  action: {
                    collection: 'vms',
                    action: 'revert_snapshot',
                    params: { snapshotId: id },
                  },
                  id: of,
                }),
              } satisfies ActionChoice,
            ]
          : []),
        tagAction('vm-snapshots'),
        del('vm-snapshots', m.act_delete_what_snapshot()),
      ]
    }
    case 'vm-templates': {
      const pool = String(valueAt(row, '$pool') ?? '')
      return [
        {
          id: 'create_vm',
          label: m.act_new_vm(),
          pending: m.act_pending_new_vm(),
          form: {
            kind: 'name',
            label: m.act_new_vm_name(),
            initial: m.act_new_vm_initial({ name }),
          },
          request: (id, form) => ({
            method: 'objects.action',
            action: {
              collection: 'pools',
              action: 'create_vm',
              params: { template: id, name_label: form.name || m.act_new_vm_initial({ name }) },
            },
            id: pool,
          }),
        },
        tagAction('vm-templates'),
        del('vm-templates', m.act_delete_what_template()),
      ]
    }
    case 'hosts': {
      const enabled = valueAt(row, 'enabled') !== false
      const running = valueAt(row, 'power_state') === 'Running'
      const host = (
        action: 'enable' | 'restart_toolstack' | 'smart_reboot' | 'start',
      ): ((id: string) => ActionRequest) => vm({ collection: 'hosts', action })
      if (!running)
        return [
          {
            id: 'start',
            label: m.vm_start(),
            pending: m.vm_pending_start(),
            request: host('start'),
          },
          tagAction('hosts'),
        ]
      return [
        enabled
          ? {
              id: 'disable',
              label: m.act_disable(),
              pending: m.act_pending_disable(),
              consequence: m.act_disable_consequence(),
              request: (id) => ({
                method: 'objects.action',
                action: { collection: 'hosts', action: 'disable' },
                id,
              }),
            }
          : {
              id: 'enable',
              label: m.act_enable(),
              pending: m.act_pending_enable(),
              request: host('enable'),
            },
        {
          id: 'evacuate',
          label: m.act_evacuate(),
          pending: m.act_pending_evacuate(),
          danger: true,
          consequence: m.act_evacuate_consequence(),
          request: (id) => ({
            method: 'objects.action',
            action: { collection: 'hosts', action: 'disable', params: { evacuate: true } },
            id,
          }),
        },
        {
          id: 'smart_reboot',
          label: m.act_smart_reboot(),
          pending: m.vm_pending_clean_reboot(),
          danger: true,
          consequence: m.act_smart_reboot_consequence(),
          request: host('smart_reboot'),
        },
        {
          id: 'restart_toolstack',
          label: m.act_restart_toolstack(),
          pending: m.act_pending_restart_toolstack(),
          consequence: m.act_restart_toolstack_consequence(),
          request: host('restart_toolstack'),
        },
        tagAction('hosts'),
      ]
    }
    case 'pools':
      return [
        {
          id: 'rolling_reboot',
          label: m.act_rolling_reboot(),
          pending: m.act_pending_rolling_reboot(),
          danger: true,
          consequence: m.act_rolling_reboot_consequence(),
          request: vm({ collection: 'pools', action: 'rolling_reboot' }),
        },
        {
          id: 'rolling_update',
          label: m.act_rolling_update(),
          pending: m.act_pending_rolling_update(),
          danger: true,
          consequence: m.act_rolling_update_consequence(),
          request: vm({ collection: 'pools', action: 'rolling_update' }),
        },
        tagAction('pools'),
      ]
    case 'srs':
      return [
        {
          id: 'scan',
          label: m.act_rescan(),
          pending: m.act_pending_rescan(),
          request: vm({ collection: 'srs', action: 'scan' }),
        },
        {
          id: 'reclaim_space',
          label: m.act_reclaim(),
          pending: m.act_pending_reclaim(),
          request: vm({ collection: 'srs', action: 'reclaim_space' }),
        },
        tagAction('srs'),
        del('srs', m.act_delete_what_sr()),
      ]
    case 'vdis':
      return [
        {
          id: 'migrate',
          label: m.act_move_vdi(),
          pending: m.act_pending_move_vdi(),
          form: { kind: 'migrate-vdi' },
          request: (id, form) => ({
            method: 'objects.action',
            action: { collection: 'vdis', action: 'migrate', params: { srId: form.srId ?? '' } },
            id,
          }),
        },
        {
          id: 'rename',
          label: m.act_rename(),
          pending: m.act_pending_rename(),
          form: { kind: 'rename', initial: name },
          request: (id, form) => ({
            method: 'objects.rename',
            collection: 'vdis',
            id,
            name: form.name ?? '',
          }),
        },
        tagAction('vdis'),
        del('vdis', m.act_delete_what_disk()),
      ]
    case 'networks':
      return [tagAction('networks'), del('networks', m.act_delete_what_network())]
    case 'tasks':
      return valueAt(row, 'status') === 'pending'
        ? [
            {
              id: 'abort',
              label: m.act_abort(),
              pending: m.act_pending_abort(),
              request: vm({ collection: 'tasks', action: 'abort' }),
            },
          ]
        : []
    case 'schedules':
      return [
        {
          id: 'run',
          label: m.act_run(),
          pending: m.vm_pending_start(),
          request: vm({ collection: 'schedules', action: 'run' }),
        },
      ]
    default:
      return []
  }
}
