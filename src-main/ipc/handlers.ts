import type { AppInfo } from '@contract'
import { AppFailure } from '../app-failure'
import { isHelpLink } from '../window/security'
import type { Handlers } from './router'

/** What the handlers need from the world outside plain Node (Electron in the app, fakes in tests). */
export interface HandlerDeps {
  appInfo: AppInfo
  /** Opens a URL in the system browser (Electron's `shell.openExternal`). */
  openExternal(url: string): Promise<void>
}

/** The method → service table. Handlers stay thin: validation happened in the router. */
export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    'app.info': async () => deps.appInfo,
    'app.openHelp': async ({ url }) => {
      if (!isHelpLink(url)) {
        throw new AppFailure(
          'invalid-input',
          'XO Desk only opens help pages from its documentation sites.',
          'Open the page yourself in a browser if you trust it.',
        )
      }
      await deps.openExternal(url)
      return undefined
    },
  }
}
