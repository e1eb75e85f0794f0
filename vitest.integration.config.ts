import { defineConfig } from 'vitest/config';

// Integration tier: a real kube-apiserver + etcd (+ controller-manager, scheduler, kwok) on
// loopback. The global setup reuses a running local cluster or starts one and stops it after.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/integration/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
