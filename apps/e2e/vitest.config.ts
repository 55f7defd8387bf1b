import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    // Starting the whole stack (two serverless-offline builds) takes 10-60 s on a cold runner.
    hookTimeout: 240_000,
    testTimeout: 90_000,
  },
});
