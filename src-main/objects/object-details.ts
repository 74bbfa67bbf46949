import type { ObjectDetails, ObjectRef } from '@contract'
import { AppFailure } from '../app-failure'
import type { Instance } from '../instances/instance-registry'

/** An object in full, its related objects, and its alarms, messages and tasks. */
export async function readObjectDetails(
  instance: Instance,
  ref: ObjectRef,
  signal: AbortSignal,
): Promise<ObjectDetails> {
  void instance
  void signal
  throw new AppFailure(
    'internal',
    `Details of ${ref.collection} are not available yet.`,
    'Update XO Desk.',
  )
}
