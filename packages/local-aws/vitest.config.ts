import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    // The same specifier other packages use, so this package's own run proves it resolves.
    globalSetup: ['@roomgate/local-aws/vitest-global-setup'],
    testTimeout: 30_000,
  },
});
