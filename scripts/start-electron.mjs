// `npm start` / `npm run dev`: runs the app with the project's Electron, or says in one line why it cannot.
// Electron 45 downloads its binary on first use (there is no install script to do it earlier).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = join(process.cwd(), 'node_modules', 'electron')

function binary() {
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) return undefined
  const path = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(path) ? path : undefined
}

if (!binary()) {
  console.log('XO Desk: downloading the Electron binary (once)…')
  spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: ['ignore', 'ignore', 'ignore'] })
}
const electron = binary()
if (!electron) {
  console.error(
    'XO Desk: the Electron binary is missing and could not be downloaded; connect this machine to the internet and run `npm start` again (tests and `npm run screenshots` work without it).',
  )
  process.exit(1)
}

const dev = process.argv.includes('--dev')
const child = dev
  ? spawn(
      process.execPath,
      [join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'dev'],
      { stdio: 'inherit' },
    )
  : spawn(electron, ['.'], { stdio: 'inherit' })
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
