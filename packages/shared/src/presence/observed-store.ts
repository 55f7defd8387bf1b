import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ManagementApi } from '../delivery/management-api.ts';
import type { LifecycleEvents } from '../events/lifecycle-event.ts';
import type { Logger } from '../runtime/logger.ts';
import { createConnectionStore, type ConnectionStore } from '../store/connection-store.ts';
import { combineObservers, createLifecycleObserver } from './lifecycle-observer.ts';
import { createRoomPresence, type RoomPresence } from './room-presence.ts';

export interface ObservedStoreOptions {
  client: DynamoDBClient;
  /** The connections table. */
  tableName: string;
  management: ManagementApi;
  events: LifecycleEvents;
  logger: Logger;
  /** PRESENCE_MAX_ROOM_SIZE: join/leave frames only while a room has at most this many live connections. */
  maxRoomSize: number;
}

export interface ObservedStores {
  /** Unobserved: reads (presence's own room reads, listings) and nothing it adds or removes is announced. */
  reader: ConnectionStore;
  presence: RoomPresence;
  /** Tells presence and the event bus about every row it adds or removes. */
  store: ConnectionStore;
}

/**
 * The connection store every function that adds or removes rows uses (the socket handlers, the
 * Rooms API's kicks and fan-out clean-up): whoever removes a row, members hear the leave and the
 * bus gets the event. Presence reads the room through an unobserved store on the same table.
 */
export function createObservedStores(options: ObservedStoreOptions): ObservedStores {
  const { client, tableName, management, events, logger, maxRoomSize } = options;
  const reader = createConnectionStore({ client, tableName });
  const presence = createRoomPresence({ store: reader, management, logger, maxRoomSize });
  const store = createConnectionStore({ client, tableName, observer: combineObservers(presence, createLifecycleObserver(events)) });
  return { reader, presence, store };
}
