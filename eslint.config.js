// Lint rules: typescript-eslint's recommended set plus the few project rules from STYLE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importLayersRule } from './eslint/import-layers-rule.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'certs/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        URLSearchParams: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Prettier wraps code at 120 columns; long comments and non-string lines are caught here.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // Folder layers and production-only packages: the table is eslint/layers.js (docs/architecture.md).
    files: ['src/**/*.ts'],
    plugins: { project: { rules: { 'import-layers': importLayersRule } } },
    rules: { 'project/import-layers': 'error' },
  },
  {
    // Small modules with one job (STYLE.md): files up to 250 lines, functions up to 60.
    files: ['src/**/*.ts'],
    ignores: [
      // Declarative tables: one entry per error code, and the OpenAPI document.
      'src/error-catalogue.ts',
      'src/web/openapi.ts',
      // A declarative table: the configuration schema, one entry per key with its description.
      'src/config/schema.ts',
    ],
    rules: {
      // Counted without blank lines and comments, as formatted by Prettier.
      'max-lines': ['error', { max: 250, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
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
