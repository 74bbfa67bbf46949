/**
 * Insight routes: RRD stats (`GET /vms/{id}/stats` and twins), the three dashboards, host checks
 * and downloads, backup repository health (docs/xo-rest-api.md#single-objects-patch-and-delete,
 * #ndjson and #exports-and-imports).
 */
import { registerDashboards } from './dashboards'
import { registerHostInsight } from './host-insight'
import { registerStats } from './stats'
import type { HandlerTable } from './table'

export function registerInsights(table: HandlerTable): void {
  registerStats(table)
  registerDashboards(table)
  registerHostInsight(table)
}
