// Flat config: typescript-eslint's recommended rules plus the layering rules that keep
// spatial/ pure and db/ + native-models/ below the engine (see README "Architecture").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'worker_threads',
].flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'out',
      'test-results',
      'playwright-report',
      'samples',
      'bench/.work',
      '.tmp',
      '.sqw-demo',
      '.device',
      '.device-bench',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        window: 'readonly',
        document: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests read loosely typed JSON responses; the assertions are the type check there.
    files: ['**/*.test.{ts,tsx}', 'engine/test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests may read fixtures; the spatial sources themselves stay free of I/O.
    files: ['spatial/**/*.ts'],
    ignores: ['spatial/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'spatial/ is pure: no I/O.' })),
          patterns: [
            {
              group: [
                '../engine/*',
                '../db/*',
                '../native-models/*',
                '../renderer/*',
                '../electron/*',
                '../contract/*',
              ],
              message: 'spatial/ imports nothing of ours.',
            },
          ],
        },
      ],
    },
  },
  {
    // Issue 21: nothing outside db/ writes SQL, tests and benches included; a statement they need
    // is a named function in db/ (db/store/testing/ for test and bench support).
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='kysely'] > ImportSpecifier[imported.name='sql']",
          message: "Kysely's sql template writes SQL: only db/ does (add a named function there).",
        },
        {
          // Optional calls are callbacks named so (opts.prepare?.()), never a connection's.
          selector:
            'CallExpression[callee.property.name=/^(prepare|pragma)$/]:not([optional=true])',
          message:
            'A statement on a SQLite connection: only db/ writes SQL (add a named function there).',
        },
        {
          // A string or template run by exec/query; a regex literal's exec is not SQL.
          selector:
            'CallExpression[callee.property.name=/^(exec|query)$/][arguments.0.type=/^(Literal|TemplateLiteral)$/]:not([callee.object.regex])',
          message:
            'A SQL string run on a connection: only db/ writes SQL (add a named function there).',
        },
      ],
    },
  },
  {
    files: ['db/**/*.ts', 'native-models/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../engine/*',
                '../../engine/*',
                '../renderer/*',
                '../../renderer/*',
                '../electron/*',
              ],
              message: 'db/ and native-models/ sit below the engine.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'The renderer has no Node access.',
          })),
          patterns: [
            {
              group: ['**/engine/*', '**/db/*', '**/native-models/*', '**/electron/*'],
              message: 'The renderer talks to the engine only through contract/.',
            },
          ],
        },
      ],
    },
  },
);
