/** What the app says about itself: shown in the status bar and the About box. */
export interface AppInfo {
  name: string
  version: string
  /** `process.platform` of the main process: 'linux', 'darwin', 'win32'. */
  platform: string
  arch: string
  /** Versions of the runtimes main runs on; `electron` is absent outside Electron (tests, e2e). */
  runtime: { node: string; electron?: string; chrome?: string }
}

/** Pushed by main every few seconds, so the UI can show that main is alive. */
export interface Heartbeat {
  /** Milliseconds since the epoch, from main's clock. */
  at: number
  /** How many heartbeats main has sent since it started. */
  sequence: number
}

/** Input of `app.openHelp`: a help page, opened in the system browser if it is on the allow-list. */
export interface OpenHelpInput {
  url: string
}
