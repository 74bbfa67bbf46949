import { OPERATIONS } from '../generated/operations'
import type { OperationSpec } from '../operation-spec'

export interface MatchedRoute {
  op: OperationSpec
  /** Path parameters, URL-decoded. */
  params: Record<string, string>
}

interface CompiledRoute {
  op: OperationSpec
  regex: RegExp
  names: string[]
}

/** `/vms/{id}.{format}` → a case-insensitive regex with a trailing slash tolerated, as Express does. */
function compile(op: OperationSpec): CompiledRoute {
  const names: string[] = []
  const source = op.path.replace(
    /\{(\w+)\}|([^{]+)/g,
    (_m, name: string | undefined, literal: string | undefined) => {
      if (name) {
        names.push(name)
        return '([^/]+?)'
      }
      return (literal ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    },
  )
  return { op, regex: new RegExp(`^${source}/?$`, 'i'), names }
}

// Routes with more literal text first, so `/vms/{id}.{format}` wins over `/vms/{id}` for `…/x.xva`
// and `/backup-jobs/…` literals over parameters, as the order of XO's controllers makes it.
const ROUTES = OPERATIONS.map(compile).sort(
  (a, b) => b.op.path.replace(/\{\w+\}/g, '').length - a.op.path.replace(/\{\w+\}/g, '').length,
)

/**
 * The operation for a method and a path relative to /rest/v0, or why there is none: `no-route`
 * (the path is unknown) or `no-method` (the path exists with other methods).
 */
export function matchRoute(method: string, path: string): MatchedRoute | 'no-route' {
  for (const route of ROUTES) {
    if (route.op.method !== method) continue
    const m = route.regex.exec(path)
    if (!m) continue
    const params: Record<string, string> = {}
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? '')
    })
    return { op: route.op, params }
  }
  return 'no-route'
}

/** `"METHOD /path"` keys of every operation, for coverage checks. */
export function operationKey(op: Pick<OperationSpec, 'method' | 'path'>): string {
  return `${op.method} ${op.path}`
}
