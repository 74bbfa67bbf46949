import type { ConsoleOpenInput } from '@contract'

/**
 * The console a window's address names (`#console/<instanceId>/<collection>/<id>`, made by
 * src-main/console/console-route.ts), if it names one: that window shows only this console.
 */
export function consoleOfRoute(hash: string): ConsoleOpenInput | undefined {
  const match = /^#?console\/([^/]+)\/(vms|hosts)\/([^/]+)$/.exec(hash)
  if (!match?.[1] || !match[2] || !match[3]) return undefined
  return {
    instanceId: decodeURIComponent(match[1]),
    collection: match[2] === 'hosts' ? 'hosts' : 'vms',
    id: decodeURIComponent(match[3]),
  }
}
