import type { Capability } from '../tokens/types.ts';
import type { CloseReason } from '../store/connection-observer.ts';

/** EventBridge `source` of every roomgate event; rules match on it. */
export const EVENT_SOURCE = 'roomgate';

/**
 * The lifecycle events a backend can subscribe to (docs/rooms-api.md, "Events for backends"). The
 * `detail` never carries a message body, a token or a connection id. Times are epoch seconds.
 */
export type LifecycleEvent =
  | {
      detailType: 'roomgate.connection.opened';
      detail: { roomId: string; userId?: string; capabilities: Capability[]; at: number };
    }
  | {
      detailType: 'roomgate.connection.closed';
      detail: { roomId: string; userId?: string; reason: CloseReason; at: number };
    }
  | {
      detailType: 'roomgate.message.published';
      /**
       * `origin`: `client` (a member's `publish` frame) or `server` (the Rooms API); `from` the
       * member's user id; `bytes` the frame's UTF-8 size; `publishId` the publish's id. A publish
       * fanned out by its own invocation carries the fan-out's final counts; a large room's, handed
       * to shards, is emitted when it is queued and says so (`queued`, no counts: they are not
       * known yet, and `GET /v1/rooms/{roomId}/publishes/{publishId}` follows them).
       */
      detail: {
        roomId: string;
        origin: 'client' | 'server';
        from?: string;
        seq?: number;
        bytes: number;
        publishId: string;
        at: number;
      } & ({ delivered: number; failed: number; stale: number } | { queued: { shards: number } });
    };

export type LifecycleDetailType = LifecycleEvent['detailType'];

/** Where lifecycle events go. `emit` never throws: it runs after the work and logs its own failures. */
export interface LifecycleEvents {
  emit(event: LifecycleEvent): Promise<void>;
}

/** For stages and tests with events off. */
export const noLifecycleEvents: LifecycleEvents = { emit: async () => undefined };
