import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Long chaos/soak variants opt in with SLUICE_SOAK=1; the default suite stays well under ten minutes.
    testTimeout: 60_000,
    pool: 'forks',
  },
});
