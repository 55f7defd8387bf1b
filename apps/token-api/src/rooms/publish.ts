import { createHash } from 'node:crypto';
import type { BroadcastResult, Broadcaster } from '@roomgate/shared/fan-out';
import { encodeMessageFrame } from '@roomgate/protocol/server-frame';
import { systemClock, type Clock, type Logger } from '@roomgate/shared/types';
import type { IdempotencyStore } from './idempotency-store.ts';

export interface PublishRequest {
  roomId: string;
  data: unknown;
  excludeUserId?: string | undefined;
  /** With the caller, scopes the Idempotency-Key: two callers never share keys. */
  callerId: string;
  idempotencyKey?: string | undefined;
}

export interface PublishOutcome {
  result: BroadcastResult;
  /** True when an earlier request with the same Idempotency-Key delivered and this one did not. */
  replayed: boolean;
}

export interface RoomPublisher {
  /** Delivers before resolving. Throws FrameError (`ERR_MESSAGE_TOO_LARGE`, `ERR_MESSAGE_INVALID`), the idempotency errors, StoreUnavailableError. */
  publish(request: PublishRequest): Promise<PublishOutcome>;
}

export interface RoomPublisherOptions {
  broadcaster: Broadcaster;
  idempotency: IdempotencyStore;
  /** The socket service's MAX_MESSAGE_BYTES: a server message is held to the client limit. */
  maxMessageBytes: number;
  clock?: Clock;
  logger: Logger;
}

/**
 * A server-side publish: the same `message` frame a client publish produces (without `from`:
 * the author is the backend, not a room member) through the same shared broadcaster.
 */
export function createRoomPublisher(options: RoomPublisherOptions): RoomPublisher {
  const clock = options.clock ?? systemClock;
  const { broadcaster, idempotency, logger } = options;

  return {
    async publish(request) {
      // The frame rules every producer shares (depth, safe serialisation, size after the
      // envelope); checked before claiming the key, so a refused request leaves no record behind.
      const { payload, bytes } = encodeMessageFrame(
        { type: 'message', roomId: request.roomId, data: request.data, sentAt: clock() },
        { maxBytes: options.maxMessageBytes },
      );
      const broadcast = () => broadcaster.broadcast(request.roomId, payload, request.excludeUserId === undefined ? {} : { excludeUserId: request.excludeUserId });
      const fields = { roomId: request.roomId, caller: request.callerId, bytes };

      if (request.idempotencyKey === undefined) {
        const result = await broadcast();
        logger.info('room publish', { ...fields, ...result });
        return { result, replayed: false };
      }

      const scope = `${request.roomId}#${request.callerId}#${request.idempotencyKey}`;
      const claim = await idempotency.claim(scope, fingerprint(request));
      if (claim.outcome === 'replayed') {
        logger.info('room publish replayed', { ...fields, ...claim.result });
        return { result: claim.result, replayed: true };
      }
      let result: BroadcastResult;
      try {
        result = await broadcast();
      } catch (error) {
        // The room could not be listed (possibly after some pages were posted): free the key so
        // the caller's retry runs, accepting a possible duplicate over a message never delivered.
        await claim.release().catch((releaseError: unknown) => logger.warn('idempotency release failed', { ...fields, error: releaseError }));
        throw error;
      }
      try {
        await claim.complete(result);
      } catch (error) {
        // Delivered already; the claim expires with its lease and a later retry could deliver again.
        logger.error('idempotency completion failed after delivery', { ...fields, error });
      }
      logger.info('room publish', { ...fields, ...result, idempotent: true });
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
