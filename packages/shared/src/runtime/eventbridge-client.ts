import type { EventBridgeClient, EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { EVENTBRIDGE_CLIENT_SETTINGS } from './client-settings.ts';
import { LazyClient, loadOnce } from './lazy-client.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** `@aws-sdk/client-eventbridge`, imported on the first call (see {@link LazyClient}), typed to the names roomgate uses (sdk-surfaces/client-eventbridge.ts). */
export const loadEventBridgeSdk: () => Promise<typeof import('./sdk-surfaces/client-eventbridge.ts')> = loadOnce(() => import('@aws-sdk/client-eventbridge'));

/** EventBridge (lifecycle events, `PutEvents`), from EVENTBRIDGE_CLIENT_SETTINGS, built on the first event; see aws-clients.ts. */
export function createEventBridgeClient(config: EventBridgeClientConfig = {}): LazyClient<EventBridgeClient> {
  return new LazyClient(async () =>
    withoutUnusedSdkLogger(new (await loadEventBridgeSdk()).EventBridgeClient({ ...EVENTBRIDGE_CLIENT_SETTINGS, ...config }), config),
  );
}
