import type { ViteUserConfig } from 'vitest/config';

/**
 * Test settings every workspace shares. The JSON report feeds `.ci/run`'s closing summary line
 * ("N passed, N failed") across all packages.
 */
export const sharedTestConfig: NonNullable<ViteUserConfig['test']> = {
  include: ['tests/**/*.test.ts'],
  reporters: ['default', ['json', { outputFile: 'test-output/vitest.json' }]],
  testTimeout: 20_000,
  hookTimeout: 60_000,
};
