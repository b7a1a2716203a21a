import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{contract,engine,db,spatial,native-models,renderer,electron,e2e}/**/*.test.{ts,tsx}',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
