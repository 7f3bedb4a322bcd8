// Lint rules: typescript-eslint's recommended set plus the few project rules from STYLE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importLayersRule } from './eslint/import-layers-rule.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'certs/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', URLSearchParams: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Folder layers and production-only packages: the table is eslint/layers.js (docs/architecture.md).
    files: ['src/**/*.ts'],
    plugins: { project: { rules: { 'import-layers': importLayersRule } } },
    rules: { 'project/import-layers': 'error' },
  },
  {
    files: ['src/cli/**', 'src/main.ts', 'test/**', 'src/dev/certs-cli.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['views/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', navigator: 'readonly' } },
  },
);
