// ESLint flat config. Not type-aware on purpose: `npm run lint` stays a few seconds, and
// `npm run typecheck` (tsc, strict) already does the type work.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node globals our plain .js files use (bin/, scripts/, this file). Listed here rather than
// imported from the `globals` package, which is only a transitive dependency of eslint.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'fetch',
    'AbortController',
    'AbortSignal',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'queueMicrotask',
    'structuredClone',
    'TextEncoder',
    'TextDecoder',
  ].map((name) => [name, 'readonly']),
);

// DESIGN.md: domain code never imports a platform library. Adapters and process wiring may.
const platformLibraries = ['telegraf', 'zca-js', 'bullmq', 'fastify'];
const restrictPlatformImports = {
  'no-restricted-imports': [
    'error',
    {
      patterns: platformLibraries.map((name) => ({
        group: [name, `${name}/*`],
        message: `Mã nghiệp vụ (src/) không import ${name}: dùng giao diện Channel/Endpoint hoặc hàng đợi trong src/queues (DESIGN.md).`,
      })),
    },
  ],
};

export default defineConfig(
  {
    ignores: ['node_modules/', 'data/', 'src/db/generated/', 'test-output/', 'coverage/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: nodeGlobals,
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Logs go through pino (src/logger.ts); user-facing output through process.stdout/stderr.
      'no-console': 'error',
    },
  },
  {
    files: ['src/cli/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The web admin's own browser scripts: plain ES5-style files served as they are.
    files: ['src/web/admin/assets/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['window', 'document', 'location', 'fetch', 'Intl', 'setTimeout', 'URL'].map((name) => [name, 'readonly'])),
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/queues/**', 'src/web/**', 'src/redis/**', 'src/cli/**', 'src/runtime/**', 'src/processes/**'],
    rules: restrictPlatformImports,
  },
);
