// The `xo-desk` command (bin/xo-desk.mjs loads the built copy of this file).
import { runCli } from './run'

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
})
