import type { AppError } from '@contract'
import { AppFailure, toAppError } from '../app-failure'
import type { AuditLog, AuditRecord } from '../audit/audit-log'
import type { InstanceRegistry } from '../instances/instance-registry'

/** What the guards record to. */
interface Audited {
  audit: AuditLog
}

/**
 * Read-only is enforced here, in main, for every mutating request: a renderer that shows the
 * button anyway (or a compromised one) still changes nothing.
 */
export function refuseIfReadOnly(instances: InstanceRegistry, id: string): void {
  const instance = instances.get(id)
  if (instance.details?.readOnly) {
    throw new AppFailure(
      'forbidden',
      `${instance.label} is read-only in XO Desk: it changes nothing there.`,
      'Turn read-only off for this instance to act on it.',
    )
  }
}

/**
 * Actions are refused, in main, while an instance's event stream is down or only its snapshot
 * from disk is held: the VM may not be as the list shows it, and XO would not get the request.
 */
export function refuseIfOffline(instances: InstanceRegistry, id: string): void {
  const instance = instances.get(id)
  const { state, error, stale } = instance.live.connection()
  if (!stale && (state === 'live' || state === 'connecting')) return
  const shown = stale
    ? `the VMs shown are from ${new Date(stale.since).toLocaleString()}`
    : 'the VMs shown may be out of date'
  const later = 'Actions come back once it shows Live in the sidebar.'
  if (state === 'connecting' && !error) {
    throw new AppFailure(
      'unreachable',
      `${instance.label} is not connected yet: ${shown}.`,
      `Wait a moment and try again. ${later}`,
      true,
    )
  }
  const why = error ? ` (${error.message.replace(/\.$/, '')})` : ''
  throw new AppFailure(
    'unreachable',
    `XO Desk cannot reach ${instance.label}${why}, so it does not act on it: ${shown}.`,
    `${error?.action ?? 'Check that XO is running and reachable from this computer.'} ${later}`,
    true,
  )
}

export /** Who did what to which object: what the audit log keeps of a request (never its input). */
type Subject = Pick<AuditRecord, 'instance' | 'object' | 'action'>

/** The outcome of a request that ended: its error's code and readable message only. */
export function ending(
  error: AppError | undefined,
  failed: 'failed' | 'refused' = 'failed',
): Pick<AuditRecord, 'outcome' | 'error'> {
  return error
    ? { outcome: failed, error: { code: error.code, message: error.message } }
    : { outcome: 'succeeded' }
}

/** Runs XO Desk's own checks before a request; one that says no is recorded as `refused`. */
export async function refusedUnless(
  deps: Audited,
  subject: Subject,
  check: () => void,
): Promise<void> {
  try {
    check()
  } catch (err) {
    const error = toAppError(err, () => {})
    await deps.audit.record({ ...subject, ...ending(error, 'refused') })
    throw err
  }
}

/**
 * Runs a mutating request and records how it ended, then answers as the request would have.
 * `done` says more once it succeeded (the new instance's id, the task XO started).
 */
export async function audited<T>(
  deps: Audited,
  subject: Subject,
  run: () => Promise<T>,
  done: (value: T) => Partial<AuditRecord> = () => ({}),
): Promise<T> {
  let value: T
  try {
    value = await run()
  } catch (err) {
    // The router logs an unexpected error; here only its readable form is kept.
    await deps.audit.record({ ...subject, ...ending(toAppError(err, () => {})) })
    throw err
  }
  await deps.audit.record({ ...subject, outcome: 'succeeded', ...done(value) })
  return value
}
