/**
 * `@roomgate/shared/testing`: test helpers other packages' tests use — real keys and forged tokens
 * (`tokens.ts`), and a local stand-in for API Gateway's management API (`management-server.ts`).
 * Test code only: nothing under `src/` imports it.
 */
export * from './management-server.ts';
export * from './tokens.ts';
export * from './lambda-bundle.ts';
