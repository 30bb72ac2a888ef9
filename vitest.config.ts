import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own table and bucket; files run in parallel on the shared emulators.
    pool: 'forks',
    // Expected failures (refused requests, aborted tasks) would flood the output otherwise.
    env: { STEVEDORE_LOG_LEVEL: 'CRITICAL' },
  },
});
