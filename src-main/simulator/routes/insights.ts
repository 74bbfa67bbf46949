/**
 * Insight routes (GUIDE §4.2, §9.3, §10): RRD stats, the three dashboards, host checks and
 * downloads, backup repository health.
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
