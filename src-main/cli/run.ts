import { version } from '../../package.json'
import { auditCommand } from './commands/audit'
import { clientCommand } from './commands/client-commands'
import { importCommand } from './commands/import'
import { inspectCommand } from './commands/inspect'
import { instancesCommand } from './commands/instances'
import { simCommand } from './commands/sim'

/** Where the CLI writes; tests pass collectors, the real command passes the process streams. */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
}

const USAGE = `Usage: xo-desk <command> [options]

Commands:
  instances    Add, list, remove the XO instances the app uses (xo-desk instances --help)
  ls           List a collection of an XO (xo-desk ls --help)
  get          Show one object
  action       Run an action on an object, optionally waiting for its task
  sim          Run a local Xen Orchestra simulator (xo-desk sim --help)
  audit        Show what XO Desk changed, newest first (xo-desk audit --help)
  export       Export a VM (XVA, OVA) or a VDI (VHD, raw) to a checked file (xo-desk export --help)
  move         Copy a VM or a VDI from one instance to another (xo-desk move --help)
  verify       Check a file against its .sha256 (xo-desk verify FILE)
  inspect      Check an XVA, OVA, VHD or raw image before an import (xo-desk inspect --help)
  import       Import an XVA as a VM or a VHD/raw disk as a VDI (xo-desk import --help)
  help         Show this help
  version      Print the version of XO Desk

Run \`npm start\` to open the desktop app.
`

/** Reads all of standard input (the token, for `--token-stdin`). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return ''
  let text = ''
  for await (const chunk of process.stdin) text += String(chunk)
  return text
}

/** Asks on the terminal (stderr, so stdout stays clean for scripts); `hidden` echoes nothing. */
async function ask(question: string, hidden = false): Promise<string> {
  const { createInterface } = await import('node:readline')
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
  if (hidden) {
    // readline echoes through _writeToOutput; print the question, then nothing of what is typed.
    const out = rl as unknown as { _writeToOutput(text: string): void }
    process.stderr.write(question)
    out._writeToOutput = () => {}
  }
  try {
    return await new Promise<string>((resolve) => rl.question(hidden ? '' : question, resolve))
  } finally {
    if (hidden) process.stderr.write('\n')
    rl.close()
  }
}

/** Resolves on Ctrl+C or SIGTERM: long-running commands serve until then. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}

/** Runs one command line and returns the process exit code. */
export async function runCli(argv: string[], io: CliIo, until?: Promise<unknown>): Promise<number> {
  const [command = 'help', ...rest] = argv
  switch (command) {
    case 'sim':
      return simCommand(rest, io, until ?? interrupted())
    case 'instances':
      return instancesCommand(rest, {
        readStdin,
        ask,
        isTty: process.stdin.isTTY === true && process.stderr.isTTY === true,
        ...io,
      })
    case 'audit':
      return auditCommand(rest, io)
    case 'export':
      return (await import('./commands/export')).exportCommand(rest, {
        readStdin,
        isTty: process.stdout.isTTY === true,
        stderrTty: process.stderr.isTTY === true,
        ...io,
      })
    case 'move':
      return (await import('./commands/move')).moveCommand(rest, {
        readStdin,
        isTty: process.stdout.isTTY === true,
        stderrTty: process.stderr.isTTY === true,
        ...io,
      })
    case 'verify':
      return (await import('./commands/verify')).verifyCommand(rest, io)
    case 'ls':
    case 'get':
    case 'action':
      return clientCommand(command, rest, {
        readStdin,
        isTty: process.stdout.isTTY === true,
        ...io,
      })
    case 'inspect':
      return inspectCommand(rest, io)
    case 'import':
      return importCommand(rest, { readStdin, isTty: process.stdout.isTTY === true, ...io })
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE)
      return 0
    case 'version':
    case '--version':
    case '-v':
      io.stdout(`${version}\n`)
      return 0
    default:
      io.stderr(
        `xo-desk: unknown command "${command}".\nRun \`xo-desk help\` to see the commands.\n`,
      )
      return 2
  }
}
