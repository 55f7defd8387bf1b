import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { EVENTBRIDGE_CLIENT_SETTINGS } from './client-settings.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** EventBridge (lifecycle events, `PutEvents`), from EVENTBRIDGE_CLIENT_SETTINGS; see aws-clients.ts. */
export function createEventBridgeClient(config: EventBridgeClientConfig = {}): EventBridgeClient {
  return withoutUnusedSdkLogger(new EventBridgeClient({ ...EVENTBRIDGE_CLIENT_SETTINGS, ...config }), config);
}
