import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { paraglideVitePlugin } from '@inlang/paraglide-js'

const r = (p: string): string => resolve(import.meta.dirname, p)

export default defineConfig({
  plugins: [svelte({ configFile: r('svelte.config.js') })],
  resolve: { alias: { '@contract': r('src-preload/contract') } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src-main/**/*.test.ts', 'src-preload/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        // Without 'browser' Svelte resolves to its SSR build: "mount(...) is not available on the server".
        resolve: { conditions: ['browser'] },
        // Compiles the renderer's messages (src-renderer/i18n) as electron.vite.config.ts does.
        plugins: [
          paraglideVitePlugin({
            project: r('src-renderer/i18n/project.inlang'),
            outdir: r('src-renderer/paraglide'),
            strategy: ['globalVariable', 'baseLocale'],
            emitTsDeclarations: true,
          }),
        ],
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['src-renderer/**/*.test.ts'],
          setupFiles: ['@testing-library/svelte/vitest'],
        },
      },
    ],
  },
})
