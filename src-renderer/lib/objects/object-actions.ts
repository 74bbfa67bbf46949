import type {
  DeletableCollection,
  InventoryCollection,
  ObjectAction,
  Row,
  TaggableCollection,
} from '@contract'
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
  label: 'Delete…',
  pending: 'Deleting…',
  danger: true,
  bulk: true,
  consequence: `Deletes the ${what} on XO. This cannot be undone.`,
  request: (id) => ({ method: 'objects.delete', collection, id }),
})

/** The power actions of a VM in a power state, in XAPI's rules. */
function vmPower(state: string): ActionChoice[] {
  const start: ActionChoice = {
    id: 'start',
    label: 'Start',
    pending: 'Starting…',
    bulk: true,
    request: vm({ collection: 'vms', action: 'start' }),
  }
  const shutdown: ActionChoice = {
    id: 'clean_shutdown',
    label: 'Shut down',
    pending: 'Shutting down…',
    bulk: true,
    consequence: 'Asks the operating system to shut down.',
    request: vm({ collection: 'vms', action: 'clean_shutdown' }),
  }
  const reboot: ActionChoice = {
    id: 'clean_reboot',
    label: 'Reboot',
    pending: 'Rebooting…',
    bulk: true,
    request: vm({ collection: 'vms', action: 'clean_reboot' }),
  }
  const force = (action: 'hard_shutdown' | 'hard_reboot'): ActionChoice => ({
    id: action,
    label: action === 'hard_shutdown' ? 'Force shutdown' : 'Force reboot',
    pending: action === 'hard_shutdown' ? 'Forcing shutdown…' : 'Forcing reboot…',
    danger: true,
    bulk: true,
    consequence: 'Cuts the VM off without asking its operating system: unsaved data in it is lost.',
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
        simple('suspend', 'Suspend', 'Suspending…'),
        simple('pause', 'Pause', 'Pausing…'),
        force('hard_shutdown'),
        force('hard_reboot'),
      ]
    case 'Paused':
      return [simple('unpause', 'Resume', 'Resuming…'), force('hard_shutdown')]
    case 'Suspended':
      return [simple('resume', 'Resume', 'Resuming…'), force('hard_shutdown')]
    default:
      return []
  }
}

const tagAction = (collection: TaggableCollection): ActionChoice => ({
  id: 'tag',
  label: 'Add a tag…',
  pending: 'Tagging…',
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
          label: 'Snapshot…',
          pending: 'Snapshotting…',
          bulk: true,
          form: { kind: 'name', label: 'Snapshot name', initial: `${name} snapshot` },
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
          label: 'Clone…',
          pending: 'Cloning…',
          form: { kind: 'name', label: 'Name of the clone', initial: `${name} (clone)` },
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
                label: 'Migrate…',
                pending: 'Migrating…',
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
          label: 'Rename…',
          pending: 'Renaming…',
          form: { kind: 'rename', initial: name },
          request: (id, form) => ({
            method: 'objects.rename',
            collection: 'vms',
            id,
            name: form.name ?? '',
          }),
        },
        tagAction('vms'),
        ...(state === 'Halted' ? [del('vms', 'VM and its disks')] : []),
      ]
    }
    case 'vm-snapshots': {
      const of = String(valueAt(row, '$snapshot_of') ?? '')
      return [
        ...(of
          ? [
              {
                id: 'revert',
                label: 'Revert the VM to it…',
                pending: 'Reverting…',
                danger: true,
                consequence: 'The VM goes back to this snapshot: what changed since is lost.',
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
        del('vm-snapshots', 'snapshot'),
      ]
    }
    case 'vm-templates': {
      const pool = String(valueAt(row, '$pool') ?? '')
      return [
        {
          id: 'create_vm',
          label: 'New VM…',
          pending: 'Creating the VM…',
          form: { kind: 'name', label: 'Name of the new VM', initial: `${name} VM` },
          request: (id, form) => ({
            method: 'objects.action',
            action: {
              collection: 'pools',
              action: 'create_vm',
              params: { template: id, name_label: form.name || `${name} VM` },
            },
            id: pool,
          }),
        },
        tagAction('vm-templates'),
        del('vm-templates', 'template'),
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
          { id: 'start', label: 'Start', pending: 'Starting…', request: host('start') },
          tagAction('hosts'),
        ]
      return [
        enabled
          ? {
              id: 'disable',
              label: 'Disable',
              pending: 'Disabling…',
              consequence: 'No new VM starts on it; its running VMs stay.',
              request: (id) => ({
                method: 'objects.action',
                action: { collection: 'hosts', action: 'disable' },
                id,
              }),
            }
          : { id: 'enable', label: 'Enable', pending: 'Enabling…', request: host('enable') },
        {
          id: 'evacuate',
          label: 'Evacuate…',
          pending: 'Evacuating…',
          danger: true,
          consequence:
            'Disables the host and migrates its running VMs to the other hosts of the pool.',
          request: (id) => ({
            method: 'objects.action',
            action: { collection: 'hosts', action: 'disable', params: { evacuate: true } },
            id,
          }),
        },
        {
          id: 'smart_reboot',
          label: 'Reboot…',
          pending: 'Rebooting…',
          danger: true,
          consequence: 'Suspends or migrates its VMs, reboots the host, then brings them back.',
          request: host('smart_reboot'),
        },
        {
          id: 'restart_toolstack',
          label: 'Restart the toolstack',
          pending: 'Restarting the toolstack…',
          consequence: 'XAPI restarts on the host; its VMs keep running.',
          request: host('restart_toolstack'),
        },
        tagAction('hosts'),
      ]
    }
    case 'pools':
      return [
        {
          id: 'rolling_reboot',
          label: 'Rolling reboot…',
          pending: 'Rebooting the pool…',
          danger: true,
          consequence: 'Reboots the hosts one after another, moving their VMs first.',
          request: vm({ collection: 'pools', action: 'rolling_reboot' }),
        },
        {
          id: 'rolling_update',
          label: 'Rolling update…',
          pending: 'Updating the pool…',
          danger: true,
          consequence: 'Installs the missing patches host by host, rebooting each.',
          request: vm({ collection: 'pools', action: 'rolling_update' }),
        },
        tagAction('pools'),
      ]
    case 'srs':
      return [
        {
          id: 'scan',
          label: 'Rescan',
          pending: 'Scanning…',
          request: vm({ collection: 'srs', action: 'scan' }),
        },
        {
          id: 'reclaim_space',
          label: 'Reclaim space',
          pending: 'Reclaiming…',
          request: vm({ collection: 'srs', action: 'reclaim_space' }),
        },
        tagAction('srs'),
        del('srs', 'SR and every disk on it'),
      ]
    case 'vdis':
      return [
        {
          id: 'migrate',
          label: 'Move to another SR…',
          pending: 'Moving…',
          form: { kind: 'migrate-vdi' },
          request: (id, form) => ({
            method: 'objects.action',
            action: { collection: 'vdis', action: 'migrate', params: { srId: form.srId ?? '' } },
            id,
          }),
        },
        {
          id: 'rename',
          label: 'Rename…',
          pending: 'Renaming…',
          form: { kind: 'rename', initial: name },
          request: (id, form) => ({
            method: 'objects.rename',
            collection: 'vdis',
            id,
            name: form.name ?? '',
          }),
        },
        tagAction('vdis'),
        del('vdis', 'disk'),
      ]
    case 'networks':
      return [tagAction('networks'), del('networks', 'network')]
    case 'tasks':
      return valueAt(row, 'status') === 'pending'
        ? [
            {
              id: 'abort',
              label: 'Abort',
              pending: 'Aborting…',
              request: vm({ collection: 'tasks', action: 'abort' }),
            },
          ]
        : []
    case 'schedules':
      return [
        {
          id: 'run',
          label: 'Run now',
          pending: 'Starting…',
          request: vm({ collection: 'schedules', action: 'run' }),
        },
      ]
    default:
      return []
  }
}
