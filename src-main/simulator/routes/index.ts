import { registerActions } from './actions'
import { registerCollections } from './collections'
import { registerCrud } from './crud'
import { registerTasksAndEvents } from './tasks-and-events'
import { registerUsers } from './users'
import { HandlerTable } from './table'

/** Every route of XO's REST API, wired to the simulator. Specific routes first, generic last. */
export function createHandlerTable(): HandlerTable {
  const table = new HandlerTable()
  registerTasksAndEvents(table)
  registerUsers(table)
  registerActions(table)
  registerCrud(table)
  registerCollections(table)
  return table
}
