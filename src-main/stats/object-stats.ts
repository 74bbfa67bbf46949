import type { Input, ObjectStats } from '@contract'
import { AppFailure } from '../app-failure'
import type { XoClient } from '../xo/client'

/** A VM's, host's or pool's stats (`GET /<collection>/{id}/stats`), read into charts. */
export async function readObjectStats(
  client: XoClient,
  input: Input<'objects.stats'>,
  signal: AbortSignal,
): Promise<ObjectStats> {
  void client
  void signal
  throw new AppFailure(
    'internal',
    `Stats of ${input.collection} are not available yet.`,
    'Update XO Desk.',
  )
}
