import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    // RSA key generation and child processes running tsx are slow on a cold CI runner.
    globalSetup: ['@roomgate/local-aws/vitest-global-setup'],
    testTimeout: 30_000,
  },
});
