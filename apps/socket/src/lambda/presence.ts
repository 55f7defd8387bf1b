import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventBridgeEvents, noLifecycleEvents, type LifecycleEvents } from '@roomgate/shared/events';
import { createObservedStores, type RoomPresence } from '@roomgate/shared/presence';
import { createEventBridgeClient, endpointConfig, type Logger } from '@roomgate/shared/runtime';
import type { ConnectionStore } from '@roomgate/shared/store';
import type { ManagementApi } from '@roomgate/shared/delivery';
import type { SocketConfig } from '../config.ts';
import { createDynamoClient } from './store.ts';
import { createManagement } from './management.ts';

/** Lifecycle events on the stage's bus, or none when EVENT_BUS_NAME is unset. */
export function createEvents(config: SocketConfig, logger: Logger): LifecycleEvents {
  if (config.eventBusName === undefined) return noLifecycleEvents;
  const client = createEventBridgeClient(endpointConfig(config.eventsEndpoint));
  return createEventBridgeEvents({ client, busName: config.eventBusName, stage: config.stage ?? '', logger });
}

export interface PresenceParts {
  /** The connection store, telling presence and the event bus about every row it adds or removes. */
  store: ConnectionStore;
  presence: RoomPresence;
  events: LifecycleEvents;
  management: ManagementApi;
}

/**
 * The store every socket handler uses: whichever handler adds or removes a row ($connect,
 * $disconnect, an expired token's close, fan-out's clean-up), members hear the join or leave and
 * the bus gets the event. Presence reads the room through the same store (unobserved reads).
 */
export function createPresenceParts(config: SocketConfig, logger: Logger, dynamo: DynamoDBClient = createDynamoClient(config)): PresenceParts {
  const management = createManagement(config);
  const events = createEvents(config, logger);
  const { store, presence } = createObservedStores({
    client: dynamo,
    tableName: config.tableName,
    management,
    events,
    logger,
    maxRoomSize: config.presenceMaxRoomSize,
  });
  return { store, presence, events, management };
}
