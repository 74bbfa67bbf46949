import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { paraglideVitePlugin } from '@inlang/paraglide-js'

const r = (p: string): string => resolve(import.meta.dirname, p)
const alias = { '@contract': r('src-preload/contract') }
// The renderer's messages (src-renderer/i18n) compiled into typed functions. Electron has no URL or
// cookie to read: src-renderer/lib/i18n/locale.svelte.ts picks the language and sets it, English
// until then. The same options: vitest.config.ts and the `i18n:compile` script (package.json).
const paraglide: Parameters<typeof paraglideVitePlugin>[0] = {
  project: r('src-renderer/i18n/project.inlang'),
  outdir: r('src-renderer/paraglide'),
  strategy: ['globalVariable', 'baseLocale'],
  emitTsDeclarations: true,
}

/** The built renderer may open no connection at all: dev keeps 'self' for Vite's HMR socket. */
function lockConnectSrc(): Plugin {
  return {
    name: 'xo-desk:lock-connect-src',
    apply: 'build',
    transformIndexHtml: (html) => html.replace("connect-src 'self'", "connect-src 'none'"),
  }
}

export default defineConfig({
  main: {
    // Explicit entries: electron-vite only finds src/main by itself (its default entries,
    // "Conventions" in https://electron-vite.org/guide/dev).
    // `cli` is the `xo-desk` command (bin/xo-desk.mjs), built with the app so both share one client.
    build: {
      externalizeDeps: true,
      lib: { entry: { index: r('src-main/index.ts'), cli: r('src-main/cli/index.ts') } },
    },
    resolve: { alias },
  },
  preload: {
    // sandbox: true => the preload must be ONE CommonJS file whose only require is electron (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts).
    build: {
      externalizeDeps: false,
      isolatedEntries: true,
      lib: { entry: r('src-preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
    resolve: { alias },
  },
  renderer: {
    root: r('src-renderer'),
    build: { rolldownOptions: { input: r('src-renderer/index.html') } },
    resolve: { alias },
    plugins: [
      paraglideVitePlugin(paraglide),
      svelte({ configFile: r('svelte.config.js') }),
      lockConnectSrc(),
    ],
  },
})
