import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    // dynalite + local Secrets Manager on free ports, one per run; the e2e test points
    // serverless-offline at them.
    globalSetup: ['@roomgate/local-aws/vitest-global-setup'],
    // The e2e suite builds with esbuild and boots serverless-offline (~5–15 s on a cold runner).
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
