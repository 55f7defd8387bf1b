// The client factories, one module per SDK client: a Lambda bundle that leaves the SDK to the
// runtime (`@aws-sdk/*` external) keeps every `import` of an SDK package it reaches, used or not,
// so a module importing all three clients made every function load all of them at cold start.
// Through this barrel (the package is `"sideEffects": false`) a bundle reaches only the factories it calls.
// The packages a function may never call (management API, EventBridge, Lambda, and Secrets Manager
// through createLazySecretsManagerClient) are not imported statically at all: those factories
// return a LazyClient that imports the package on first use (lazy-client.ts).
export * from './dynamodb-client.ts';
export * from './secrets-manager-client.ts';
export * from './secrets-manager-lazy-client.ts';
export * from './management-api-client.ts';
export * from './eventbridge-client.ts';
export * from './cloudformation-client.ts';
export * from './sts-client.ts';
export * from './lambda-client.ts';

/**
 * `{ endpoint }` when one is configured, `{}` otherwise: a local endpoint (dynalite, the local
 * Secrets Manager) replaces the regional one, nothing else changes.
 */
export const endpointConfig = (endpoint: string | undefined): { endpoint?: string } => (endpoint ? { endpoint } : {});
