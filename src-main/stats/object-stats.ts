import type { Input, ObjectStats } from '@contract'
import { AppFailure } from '../app-failure'
import type { XoClient } from '../xo/client'
import { XoFailure } from '../xo/errors'
import { objectCharts, poolCharts, timelineOf, timestampsOf } from './stats-charts'
import { readSampledObject, type SampledObject } from './xapi-stats'

type StatsInput = Input<'objects.stats'>

const NOUN: Record<StatsInput['collection'], string> = { vms: 'VM', hosts: 'host', pools: 'pool' }

/** A VM's, host's or pool's stats (`GET /<collection>/{id}/stats`), read into charts. */
export async function readObjectStats(
  client: XoClient,
  input: StatsInput,
  signal: AbortSignal,
): Promise<ObjectStats> {
  const { collection, id, granularity } = input
  let answer: unknown
  try {
    answer = await client.objectStats(collection, id, granularity, signal)
  } catch (err) {
    throw await whyNoStats(client, input, err, signal)
  }
  // A pool answers one entry per host: its stats, or `{error}` for a host that cannot answer.
  const sampled: SampledObject[] = []
  if (collection === 'pools') {
    if (typeof answer === 'object' && answer !== null)
      for (const entry of Object.values(answer)) {
        const host = readSampledObject(entry)
        if (host) sampled.push(host)
      }
  } else {
    const object = readSampledObject(answer)
    if (object) sampled.push(object)
  }
  const timeline = timelineOf(sampled)
  const first = sampled[0]
  if (!timeline || !first) throw await whyNoStats(client, input, undefined, signal)
  return {
    granularity,
    interval: timeline.interval,
    timestamps: timestampsOf(timeline),
    charts: collection === 'pools' ? poolCharts(sampled, timeline) : objectCharts(first, timeline),
  }
}

/**
 * Why XO gave no stats, in words. XO keeps none for a VM that does not run (422 "VM … is halted or
 * host could not be found") nor for a halted host (XAPI's HOST_OFFLINE, a 500), so the object's
 * power state says it better than XO's error; any other failure (not found, offline, signed out)
 * is already readable and passes through.
 */
async function whyNoStats(
  client: XoClient,
  input: StatsInput,
  cause: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  const refused = cause instanceof XoFailure && (cause.status === 422 || cause.status === 500)
  if (cause !== undefined && !refused) return cause
  const { collection, id } = input
  let object: Record<string, unknown>
  try {
    object = (await client.get(collection, id, signal)) as unknown as Record<string, unknown>
  } catch (err) {
    return cause ?? err
  }
  const name = typeof object['name_label'] === 'string' ? object['name_label'] : id
  const state = typeof object['power_state'] === 'string' ? object['power_state'] : undefined
  const noun = NOUN[collection]
  if (collection === 'pools' && cause === undefined)
    return new AppFailure(
      'conflict',
      `No host of ${name} is running: XO keeps no stats for a halted host.`,
      'Start a host of the pool to see its graphs.',
    )
  if (state !== undefined && state !== 'Running' && state !== 'Paused') {
    const how = state.toLowerCase()
    return new AppFailure(
      'conflict',
      `${name} is ${how}: XO keeps no stats for a ${how} ${noun}.`,
      state === 'Suspended' ? 'Resume it to see its graphs.' : 'Start it to see its graphs.',
    )
  }
  return (
    cause ??
    new AppFailure(
      'xo-failed',
      `${client.host} has no stats for ${name} yet.`,
      'Try again in a minute: XO may still be collecting them.',
      true,
    )
  )
}
