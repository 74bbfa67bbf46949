import { registerActions } from './actions'
import { registerCollections } from './collections'
import { registerCrud } from './crud'
import { registerInsights } from './insights'
import { registerService } from './service'
import { registerTasksAndEvents } from './tasks-and-events'
import { registerTransfers } from './transfers'
import { registerUsers } from './users'
import { HandlerTable } from './table'

/** Every route of XO's REST API, wired to the simulator. Specific routes first, generic last. */
export function createHandlerTable(): HandlerTable {
  const table = new HandlerTable()
  registerTasksAndEvents(table)
  registerUsers(table)
  registerActions(table)
  registerCrud(table)
  registerTransfers(table)
  registerInsights(table)
  registerService(table)
  registerCollections(table)
  return table
}
