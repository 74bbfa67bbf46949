import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import { readdirSync } from 'node:fs'
import svelteConfig from './svelte.config.js'

const electronOnlyInGlue = {
  paths: [
    {
      name: 'electron',
      message: 'Only the Electron glue files may import electron (docs/architecture.md).',
    },
  ],
}

const ELECTRON_GLUE = [
  'src-main/index.ts',
  'src-main/window/main-window.ts',
  'src-main/window/transfer-indicators.ts',
  'src-main/ipc/electron-binding.ts',
]

/**
 * Import rules inside src-main. A later flat-config block replaces an earlier one's options for
 * the same rule, so each folder gets one block holding every rule that applies to it; `applies`
 * says which (folder, test file or not) a rule covers.
 */
const MAIN_RULES = [
  {
    applies: () => true,
    pattern: { regex: 'src-renderer', message: 'Main never imports the renderer.' },
  },
  {
    applies: (folder, isTest) => !isTest && folder !== 'test-support',
    pattern: {
      regex: '(^|/)test-support(/|$)',
      message: 'test-support/ holds test helpers (dev dependencies): only tests import it.',
    },
  },
  {
    applies: (folder) => folder === 'simulator',
    pattern: {
      regex: '(^|/)xo(/|$)',
      message:
        'The simulator answers like XO and never uses the client (src-main/xo); shared names live in src-main/xo-model.',
    },
  },
  {
    applies: (folder, isTest) => folder === 'xo' && !isTest,
    pattern: {
      regex: '(^|/)simulator(/|$)',
      message: 'The client never imports the simulator; shared names live in src-main/xo-model.',
    },
  },
  {
    applies: (folder, isTest) => folder !== 'simulator' && !isTest,
    pattern: {
      regex: '(^|/)simulator/(?!index$)',
      message: "Product code starts the simulator only through its entry, 'simulator/index.ts'.",
    },
  },
  {
    applies: (folder) =>
      [
        'xo',
        'xo-model',
        'inventory',
        'instances',
        'vault',
        'formats',
        'simulator',
        'app-events',
        'tls',
        'audit',
        'transfers',
        'library',
      ].includes(folder),
    pattern: {
      regex: '(^|/)ipc(/|$)',
      message: 'Services do not depend on the IPC layer: publish to src-main/app-events instead.',
    },
  },
]

function mainZones() {
  const folders = readdirSync(new URL('./src-main', import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
  const block = (files, ignores, folder, isTest) => ({
    files,
    ignores: [...ELECTRON_GLUE, ...ignores],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInGlue,
          patterns: MAIN_RULES.filter((r) => r.applies(folder, isTest)).map((r) => r.pattern),
        },
      ],
    },
  })
  return [
    block(['src-main/**'], ['src-main/**/*.test.ts'], '', false),
    block(['src-main/**/*.test.ts'], [], '', true),
    ...folders.flatMap((folder) => [
      block([`src-main/${folder}/**`], [`src-main/${folder}/**/*.test.ts`], folder, false),
      block([`src-main/${folder}/**/*.test.ts`], [], folder, true),
    ]),
  ]
}

export default tseslint.config(
  {
    ignores: [
      'out/',
      'dist/',
      '.cache/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      '/screenshots/',
      'src-main/xo/generated/',
      'src-preload/contract/generated/',
      'src-main/simulator/generated/',
      'src-renderer/paraglide/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  // Layering by lint (docs/architecture.md): electron only in the glue files.
  {
    files: ['**/*.ts', '**/*.svelte', '**/*.js', '**/*.mjs'],
    ignores: [...ELECTRON_GLUE, 'src-preload/index.ts'],
    rules: { 'no-restricted-imports': ['error', electronOnlyInGlue] },
  },
  // The contract is environment-neutral: nothing from outside itself.
  {
    files: ['src-preload/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\./)', message: 'The contract imports only from its own folder.' },
          ],
        },
      ],
    },
  },
  // The renderer sees main only through the contract, and only its types.
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@contract',
              allowTypeImports: true,
              message: 'The renderer imports the contract type-only.',
            },
            ...electronOnlyInGlue.paths,
          ],
          patterns: [
            {
              regex: '^node:',
              message: 'The renderer runs in a sandboxed page: no Node built-ins.',
            },
            { regex: '^undici', message: 'The renderer never opens a socket: main does the HTTP.' },
            {
              regex: 'src-main|src-preload',
              message: 'The renderer reaches main only through window.xo.',
            },
          ],
        },
      ],
    },
  },
  // Layering inside main, one block per folder (see mainZones below).
  ...mainZones(),
)
