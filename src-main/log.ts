/**
 * Main's log: one line per notable event (connections, actions, failures). Never a token: callers
 * log ids, names and URLs only, and a test greps a whole session's log for the token to prove it.
 */
export type Log = (line: string) => void

/** Writes to stderr with a timestamp (Electron's terminal, or the e2e harness's output). */
export const consoleLog: Log = (line) => console.error(`${new Date().toISOString()} ${line}`)
