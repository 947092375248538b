import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    // CLI tests spawn processes; two workers match the two cores CI has.
    maxWorkers: 2,
  },
});
