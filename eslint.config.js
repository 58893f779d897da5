// ESLint flat config: @eslint/js + typescript-eslint recommended (not type-aware, so it is fast).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'AbortController', 'AbortSignal', 'TextEncoder',
    'TextDecoder', 'fetch', 'performance', 'globalThis'].map((g) => [g, 'readonly']),
);

export default defineConfig(
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'libs/proto/src/gen/**', 'test-artifacts/**', 'bench-results/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: nodeGlobals },
    rules: {
      'no-console': 'error', // services and libs log through @switchyard/log
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // CLIs, generators, tests and e2e print to the console on purpose
    files: ['tools/**', 'e2e/**', '**/*.test.ts', 'libs/proto/src/codegen.ts', 'eslint.config.js'],
    rules: { 'no-console': 'off' },
  },
);
