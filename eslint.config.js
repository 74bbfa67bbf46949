import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import svelteConfig from './svelte.config.js'

const electronOnlyInGlue = {
  paths: [
    {
      name: 'electron',
      message: 'Only the Electron glue files may import electron (ARCHITECTURE §5).',
    },
  ],
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
      'screenshots/',
      'src-main/xo/generated/',
      'src-main/simulator/generated/',
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
  // Layering by lint (ARCHITECTURE §5): electron only in the glue files.
  {
    files: ['**/*.ts', '**/*.svelte', '**/*.js', '**/*.mjs'],
    ignores: [
      'src-main/index.ts',
      'src-main/window/main-window.ts',
      'src-main/ipc/electron-binding.ts',
      'src-preload/index.ts',
    ],
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
  // Main never reaches into the renderer.
  {
    files: ['src-main/**'],
    ignores: [
      'src-main/index.ts',
      'src-main/window/main-window.ts',
      'src-main/ipc/electron-binding.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInGlue,
          patterns: [{ regex: 'src-renderer', message: 'Main never imports the renderer.' }],
        },
      ],
    },
  },
)
