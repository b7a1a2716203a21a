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
        {
          // The query builder's entry points on any object (a Kysely handle, a transaction, an
          // expression builder's subquery); no other code of ours has methods of these names.
          selector:
            'CallExpression[callee.property.name=/^(selectFrom|selectNoFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|withRecursive)$/]',
          message: "Kysely's query builder writes SQL: only db/ does (add a named function there).",
        },
        {
          // A CTE is named by a string or built by a callback; Array.prototype.with takes an index.
          selector:
            "CallExpression[callee.property.name='with']:matches([arguments.0.value=type(string)], [arguments.0.type=/^(TemplateLiteral|ArrowFunctionExpression|FunctionExpression)$/])",
          message:
            "Kysely's with (a common table expression) writes SQL: only db/ does (add a named function there).",
        },
        {
          // db.schema.createTable(…) and the rest of Kysely's schema module.
          selector:
            "MemberExpression[object.property.name='schema'][property.name=/^((create|alter|drop)(Table|Index|Schema|View|Type)|refreshMaterializedView|withSchema|withPlugin|withoutPlugins)$/]",
          message: "Kysely's schema module writes DDL: only db/ does (add a named function there).",
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
