// What roomgate uses of @aws-sdk/client-eventbridge, which it loads on first use (lazy-client.ts). Bundles
// resolve the lazy import to this file (packages/shared/build/sdk-surfaces.cjs), so they keep only
// these names; the loader's type is this module's, so code cannot use a name not listed here.
export { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
