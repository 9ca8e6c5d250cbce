// typescript-eslint strict, with type information, over the whole monorepo.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import folderLayers from './tools/eslint/folder-layers.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      // Generated from openapi/experience-finance.json by scripts/console-schema.mjs.
      'apps/experience-finance/console/src/api/schema.d.ts',
      'node_modules/**',
      'coverage/**',
      'openapi/**',
      '.revline/**',
      'scripts/**',
      // The vendor-side projects deployed with the vendors' own tools (sf, suitecloud), not Revline's code.
      'vendor/**',
      '*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      // Nest modules are classes with decorators and no members.
      '@typescript-eslint/no-extraneous-class': 'off',
      // DTO classes describe JSON shapes for Swagger and class-validator; plain objects of that shape are the norm.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Entities and DTOs are plain types that TypeORM and class-validator fill in.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../libs/*', '../../../libs/*', '**/libs/*/src/*'],
              message: 'Import shared code through @revline/<lib>.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // process-q2c's folders as layers, lowest first: a folder imports only from itself and the folders before it, so
    // no folder-level import loop can come back. Files at the top of src/ (app.module.ts, main.ts) compose them all.
    files: ['apps/process-q2c/src/**/*.ts'],
    plugins: { revline: folderLayers },
    rules: {
      'revline/folder-layers': [
        'error',
        {
          root: `${import.meta.dirname}/apps/process-q2c/src`,
          layers: [
            'shared',
            'lineage',
            'revenue',
            'mappings',
            'events',
            'revenue-runs',
            'usage',
            'sagas',
            'exceptions',
            'normalisation',
            'validation',
            'contracts',
            'scheduled',
            'reconciliation',
            'close',
            'replays',
            'waterfall',
            'sla',
            'overview',
          ],
        },
      ],
    },
  },
  {
    // The finance console (React, in the browser), type-checked through its own tsconfig.json. It speaks only the
    // experience API through the generated client, so it must not import server code.
    files: ['apps/experience-finance/console/**/*.{ts,tsx,mts}'],
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
    // The rules of hooks and the React Compiler's checks (purity, refs, state set in effects or render).
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@revline/*', '**/src/*/**', '../../src/**'],
              message: 'The console uses the API, not server code.',
            },
          ],
        },
      ],
    },
  },
  {
    // The local ESLint plugins are plain ESM, outside the TypeScript project.
    files: ['tools/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
