import { z } from 'zod'
import type { Schemas } from './router'

/**
 * Input schemas for every method in the contract. Everything from the renderer is untrusted:
 * objects are strict (unknown keys are refused) and strings are bounded.
 */
export const schemas = {
  'app.info': z.undefined(),
  'app.openHelp': z.strictObject({ url: z.string().max(2048) }),
} satisfies Schemas
