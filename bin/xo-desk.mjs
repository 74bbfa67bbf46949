#!/usr/bin/env node
// Launcher for the `xo-desk` command: runs the CLI built by `npm run build` (out/main/cli.js).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    `xo-desk needs Node.js 22.19 or newer (this is ${process.versions.node}): run it as \`npx xo-desk\` inside the project, which uses the project's Node 24.`,
  )
  process.exit(1)
}
const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  console.error(
    'xo-desk is not built yet: run `npm run build` once in the project, then try again.',
  )
  process.exit(1)
}
await import(cli)
