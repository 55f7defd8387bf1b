import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    globalSetup: ['@roomgate/local-aws/vitest-global-setup'],
    // RSA key generation, `sls package` and serverless-offline are slow on a cold runner.
    testTimeout: 60_000,
  },
});
