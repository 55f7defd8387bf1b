// One ESLint config for the whole monorepo. Every workspace is the same kind of code (Node ESM
// TypeScript on one tsconfig base), so a config package with a re-export in each workspace would
// add nine files and nine dependencies without a package that differs; ESLint finds this file
// from any workspace by walking up, and turbo.json lists it in the lint task's inputs.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';
import { workspaceImports } from './scripts/lint/workspace-imports.js';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/',
      '**/.serverless/',
      '**/.esbuild/',
      '**/dist/',
      '**/coverage/',
      '**/test-output/',
      '**/.turbo/',
      '**/.roomgate/',
      '**/*.generated.cjs',
      // pnpm bench's output (bundles it builds for the cold-start section); gitignored by packages/bench.
      'packages/bench/.out/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: globals.node,
    },
    plugins: { roomgate: { rules: { 'workspace-imports': workspaceImports } } },
    rules: {
      // Workspaces import each other only through `exports` and declared `workspace:*` dependencies.
      'roomgate/workspace-imports': ['error', { scope: '@roomgate', rootFiles: [fileURLToPath(new URL('./vitest.shared.ts', import.meta.url))] }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+(apps|packages)/', message: 'Import the other workspace package by name, through its exports.' },
            { regex: '^@roomgate/[^/]+/(src|tests)/', message: "Import through the package's exports, not its files." },
          ],
        },
      ],
      // One import statement per module (`import { type A, b }`), so a module's imports read in one place.
      'no-duplicate-imports': ['error', { includeExports: false }],
      // `const { omitted: _omitted, ...rest } = value` is how the code drops a property.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS by extension: serverless loads stages/settings.cjs with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
