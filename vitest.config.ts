import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Long chaos/soak variants opt in with SLUICE_SOAK=1; the default suite stays well under ten minutes.
    testTimeout: 60_000,
    // Many files run a whole reference job in beforeAll: as long as a test may take, not vitest's 10 s (a job at
    // parallelism 2 with worker threads starts its threads first, which a loaded machine makes slow).
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
