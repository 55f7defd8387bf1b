import { createHash } from 'node:crypto';
import { type Broadcaster, createMessagePublisher, type ShardingOptions } from '@roomgate/shared/delivery';
import type { LifecycleEvents } from '@roomgate/shared/events';
import type { HistoryStore } from '@roomgate/shared/history';
import { ShardDispatchError, UndeliveredPublishError } from '@roomgate/shared/errors';
import type { Clock, Logger, Metrics } from '@roomgate/shared/runtime';
import type { IdempotencyStore, PublishResult } from './idempotency-store.ts';
import { callerLogFields } from '../http/auth/caller.ts';

export interface PublishRequest {
  roomId: string;
  data: unknown;
  excludeUserId?: string | undefined;
  /** With the caller, scopes the Idempotency-Key: two callers never share keys. */
  callerId: string;
  idempotencyKey?: string | undefined;
}

export interface PublishOutcome {
  /** The fan-out counts, with the message's `seq`/`epoch` when history is on. */
  result: PublishResult;
  /** True when an earlier request with the same Idempotency-Key delivered and this one did not. */
  replayed: boolean;
}

export interface RoomPublisher {
  /**
   * Stores (history on) and delivers before resolving; in a room past the sharding threshold it
   * resolves once the shards are queued (`result.queued`; the route answers 202). Throws FrameError (`ERR_MESSAGE_TOO_LARGE`, `ERR_MESSAGE_INVALID`), the
   * idempotency errors, StoreUnavailableError (nothing delivered; with history on the message may
   * already be stored, see UndeliveredPublishError).
   */
  publish(request: PublishRequest): Promise<PublishOutcome>;
}

export interface RoomPublisherOptions {
  broadcaster: Broadcaster;
  /** The socket stage's history; undefined when the stage runs with history off. */
  history: HistoryStore | undefined;
  idempotency: IdempotencyStore;
  /** The socket service's MAX_MESSAGE_BYTES: a server message is held to the client limit (checked before an Idempotency-Key is claimed). */
  maxMessageBytes: number;
  clock?: Clock;
  logger: Logger;
  /** `roomgate.message.published` (origin `server`) after each delivery. */
  events?: LifecycleEvents | undefined;
  /** Large rooms: shards in the socket stage's fan-out shard function; absent = every publish fans out here. */
  sharding?: ShardingOptions | undefined;
  /** Publishes, deliveries and publish latency (origin `server`). */
  metrics?: Metrics | undefined;
}

/**
 * A server-side publish: the same `message` frame a client publish produces (without `from`:
 * the author is the backend, not a room member) through the same shared publish path, so client
 * and server publishes share one sequence per room.
 */
export function createRoomPublisher(options: RoomPublisherOptions): RoomPublisher {
  const { idempotency, logger } = options;
  const messages = createMessagePublisher({
    broadcaster: options.broadcaster,
    history: options.history,
    maxFrameBytes: options.maxMessageBytes,
    events: options.events,
    origin: 'server',
    sharding: options.sharding,
    metrics: options.metrics,
    ...(options.clock ? { clock: options.clock } : {}),
  });

  return {
    async publish(request) {
      const fields = { roomId: request.roomId, ...callerLogFields(request.callerId) };
      const send = async (): Promise<PublishResult> => {
        const { bytes, ...result } = await messages.publish({
          roomId: request.roomId,
          data: request.data,
          ...(request.excludeUserId === undefined ? {} : { broadcast: { excludeUserId: request.excludeUserId } }),
        });
        logger.info('room publish', { ...fields, bytes, ...result, ...(request.idempotencyKey === undefined ? {} : { idempotent: true }) });
        return result;
      };

      if (request.idempotencyKey === undefined) return { result: await send(), replayed: false };

      // The frame rules first, so a refused message claims no key (and the fingerprint below never
      // serialises data the rules refuse, such as a structure nested thousands of levels deep).
      messages.validate({ roomId: request.roomId, data: request.data });

      const scope = `${request.roomId}#${request.callerId}#${request.idempotencyKey}`;
      const claim = await idempotency.claim(scope, fingerprint(request));
      if (claim.outcome === 'replayed') {
        const { publishId, queued } = claim.result;
        // A large room's publish whose shards were not all queued (503 the first time): queue
        // those now, and only those. Throws (503 again, the key kept) while Lambda still refuses.
        const requeued = queued !== undefined && publishId !== undefined ? await messages.redispatch(request.roomId, publishId) : 0;
        logger.info('room publish replayed', { ...fields, ...claim.result, ...(requeued > 0 ? { requeuedShards: requeued } : {}) });
        return { result: claim.result, replayed: true };
      }
      let result: PublishResult;
      try {
        result = await send();
      } catch (error) {
        const dispatch = error instanceof UndeliveredPublishError ? error.cause : error;
        if (dispatch instanceof ShardDispatchError && dispatch.publishId !== undefined) {
          // Some shards are queued and deliver; the others are kept in the publish's status. The
          // key keeps the publish (its id, its position), so the caller's retry queues only those.
          const position = error instanceof UndeliveredPublishError ? error.position : {};
          await claim
            .complete({ delivered: 0, failed: 0, stale: 0, publishId: dispatch.publishId, queued: { shards: dispatch.shards }, ...position })
            .catch((completeError: unknown) => logger.error('idempotency completion failed after a partial dispatch', { ...fields, error: completeError }));
          throw error;
        }
        if (error instanceof UndeliveredPublishError) {
          // Stored in history with its seq: published, members recover it. The key keeps that
          // position, so the caller's retry replays it instead of publishing a duplicate.
          await claim
            .complete({ delivered: 0, failed: 0, stale: 0, ...error.position })
            .catch((completeError: unknown) => logger.error('idempotency completion failed after storing', { ...fields, error: completeError }));
          throw error;
        }
        // Nothing stored (too large, history unavailable) or, with history off, the room could not
        // be listed (possibly after some pages were posted): free the key so the caller's retry
        // runs, accepting a possible duplicate over a message never delivered.
        await claim.release().catch((releaseError: unknown) => logger.warn('idempotency release failed', { ...fields, error: releaseError }));
        throw error;
      }
      try {
        await claim.complete(result);
      } catch (error) {
        // Delivered already; the claim expires with its lease and a later retry could deliver again.
        logger.error('idempotency completion failed after delivery', { ...fields, error });
      }
      return { result, replayed: false };
    },
  };
}

/** What the key protects: the same key with another body is a caller bug, not a retry. */
function fingerprint(request: PublishRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.data, request.excludeUserId ?? null]))
    .digest('base64url');
}
