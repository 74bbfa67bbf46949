import { homedir } from 'node:os'
import { join } from 'node:path'

/** The folder Electron names after the product (`app.getPath('userData')`). */
const PRODUCT_FOLDER = 'XO Desk'

/**
 * Where XO Desk keeps its settings: `XO_DESK_CONFIG_DIR` when set (tests, the CLI, a portable
 * install), else the folder Electron uses as `userData`, so the app and the CLI share one registry
 * (Electron: `app.getPath('appData')` + product name).
 */
export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env['XO_DESK_CONFIG_DIR']
  if (override) return override
  if (platform === 'win32')
    return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), PRODUCT_FOLDER)
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_FOLDER)
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), PRODUCT_FOLDER)
}
