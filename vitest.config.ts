import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{contract,engine,db,spatial,native-models,renderer,electron,e2e}/**/*.test.{ts,tsx}',
    ],
    environment: 'node',
    // Finds (or installs, as root with apt) PostgreSQL for the two-database suites.
    globalSetup: ['db/postgres/vitest-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
