import { z } from 'zod'
import type { Schemas } from './router'

/**
 * Input schemas for every method in the contract. Everything from the renderer is untrusted:
 * objects are strict (unknown keys are refused) and strings and numbers are bounded.
 */
const instanceId = z.string().min(1).max(200)
const collection = z.enum(['vms', 'hosts', 'pools', 'srs'])

export const schemas = {
  'app.info': z.undefined(),
  'app.openHelp': z.strictObject({ url: z.string().max(2048) }),
  'instances.list': z.undefined(),
  'demo.open': z.undefined(),
  'demo.reset': z.undefined(),
  'inventory.page': z.strictObject({
    instanceId,
    collection,
    offset: z.number().int().min(0).max(10_000_000),
    limit: z.number().int().min(0).max(5_000),
    sort: z
      .strictObject({ field: z.string().max(100), direction: z.enum(['asc', 'desc']).optional() })
      .optional(),
    filter: z.string().max(1_000).optional(),
  }),
  'vms.action': z.strictObject({
    instanceId,
    vmId: z.string().min(1).max(200),
    action: z.enum([
      'start',
      'clean_shutdown',
      'hard_shutdown',
      'clean_reboot',
      'hard_reboot',
      'pause',
      'unpause',
      'suspend',
      'resume',
    ]),
  }),
} satisfies Schemas
