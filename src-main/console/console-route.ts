import type { ConsoleOpenInput } from '@contract'

/**
 * The renderer route of a console's own window: `console/<instanceId>/<collection>/<id>`, read
 * back by src-renderer/lib/console/console-route.ts.
 */
export function consoleRoute(target: ConsoleOpenInput): string {
  const parts = [target.instanceId, target.collection, target.id].map(encodeURIComponent)
  return `console/${parts.join('/')}`
}
