import { defineConfig } from 'vitest/config';

// Unit tier: pure code (allocator, validators, quantities), beside the code it tests.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    pool: 'threads',
  },
});
