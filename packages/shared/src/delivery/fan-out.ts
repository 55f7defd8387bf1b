import type { ConnectionStore } from '../store/connection-store.ts';
import type { FanOutTarget } from '../store/connection-item.ts';
import { ConnectionGoneError } from '../errors.ts';
import { isExcludedFor } from '../history/message-exclusion.ts';
import { isGone, type ManagementApi } from './management-api.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';

export interface BroadcastResult {
  /** Posts that succeeded. */
  delivered: number;
  /** Posts that failed for another reason than 410 (throttling, 5xx…): logged, row kept. */
  failed: number;
  /**
   * Connections that answered 410, or were past their TTL backstop. Their rows were deleted,
   * except rows younger than the handshake window (HANDSHAKE_WINDOW_SECONDS): such a connection
   * may still be inside `$connect`, so its row is kept and later fan-outs post to it again.
   */
  stale: number;
}

export interface BroadcastOptions {
  excludeConnectionId?: string;
  /** Skips every connection of this user (the Rooms API's `excludeUserId`, e.g. the author's own tabs). */
  excludeUserId?: string;
  /**
   * Posts to these members instead of listing the room: the caller has read the whole room
   * already (a sharded publisher's first page, when it held the whole room).
   */
  members?: readonly FanOutTarget[];
}

export interface Broadcaster {
  /**
   * Posts `payload` to every connection of the room. Per-connection failures are counted and
   * logged, never thrown. Throws StoreUnavailableError only if the room cannot be listed; pages
   * already posted to stay delivered. `payload` may be a promise: the room's first page is read
   * while it settles and nothing is posted before it resolves; if it rejects, nothing is posted
   * and its reason is thrown (the publisher overlaps its history write with the listing this way).
   * `counts`, when given, is where the counts are kept (and the object resolved): when the listing
   * fails midway, the caller still knows what was delivered before (a fan-out shard records it).
   */
  broadcast(roomId: string, payload: Payload | Promise<Payload>, options?: BroadcastOptions, counts?: BroadcastResult): Promise<BroadcastResult>;
}

/** A frame as posted: JSON text, or its bytes. */
export type Payload = string | Uint8Array;

export interface BroadcasterOptions {
  /** `roomConnections` may yield full members or only what a post needs (a shard's projected range). */
  store: { roomConnections(roomId: string): AsyncIterableIterator<FanOutTarget> } & Pick<ConnectionStore, 'deleteGone'>;
  management: Pick<ManagementApi, 'post'>;
  /** Posts in flight at once. PostToConnection is ~10–30 ms; 20 keeps a 1,000-member room under ~1.5 s without tripping throttles. */
  concurrency?: number;
  logger: Logger;
  clock?: Clock;
}

export function createBroadcaster(options: BroadcasterOptions): Broadcaster {
  const { store, management, logger } = options;
  const clock = options.clock ?? systemClock;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 20));

  return {
    async broadcast(roomId, payload, broadcastOptions = {}, counts) {
      const result: BroadcastResult = counts ?? { delivered: 0, failed: 0, stale: 0 };
      const members = broadcastOptions.members === undefined ? store.roomConnections(roomId) : listed(broadcastOptions.members);
      const body = Promise.resolve(payload);
      // Awaited by the workers; marked handled here so a rejection before the first member is not "unhandled".
      body.catch(() => undefined);
      let payloadFailure: { reason: unknown } | undefined;

      // `member` is this worker's own binding: the id deleted on a 410 is always the one that
      // was posted to, never the sender's (the aws-samples chat app deletes the sender's).
      const deliver = async (member: FanOutTarget): Promise<void> => {
        // DynamoDB deletes TTL-expired items up to days late; such a connection is past API
        // Gateway's 2 h cap, so posting to it could only answer 410 (and its row is hours old).
        if (member.expiresAt !== undefined && member.expiresAt <= clock()) {
          result.stale += 1;
          await removeStale(member.connectionId);
          return;
        }
        let text: Payload;
        try {
          text = await body;
        } catch (reason) {
          payloadFailure ??= { reason };
          throw reason;
        }
        try {
          await management.post(member.connectionId, text);
          result.delivered += 1;
        } catch (error) {
          if (error instanceof ConnectionGoneError || isGone(error)) {
            result.stale += 1;
            await removeStale(member.connectionId);
          } else {
            result.failed += 1;
            logger.warn('fan-out post failed', { roomId, connectionId: member.connectionId, error: asError(error) });
          }
        }
      };

      // Never an unconditional delete: a 410 also answers for a member whose `$connect` is still
      // running, and deleting the row it just wrote would leave an open socket that hears nothing.
      const removeStale = async (connectionId: string): Promise<void> => {
        try {
          const outcome = await store.deleteGone(connectionId);
          if (outcome === 'kept') logger.info('fan-out kept a connection still inside its handshake window', { roomId, connectionId });
          else logger.info('fan-out removed stale connection', { roomId, connectionId });
        } catch (error) {
          // The TTL backstop removes it eventually; the next fan-out retries.
          logger.warn('fan-out could not remove stale connection', { roomId, connectionId, error: asError(error) });
        }
      };

      // N workers pull from one async iterator; an async generator queues concurrent next()
      // calls, so each member is handed out once and pages are fetched only as workers need them.
      const worker = async (): Promise<void> => {
        for (;;) {
          const next = await members.next();
          if (next.done) return;
          if (isExcluded(next.value, broadcastOptions)) continue;
          await deliver(next.value);
        }
      };

      const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, worker));
      if (payloadFailure) throw payloadFailure.reason;
      // An empty room never awaited the payload: its failure is still the caller's answer.
      await body;
      const listingFailure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (listingFailure) {
        logger.error('fan-out could not list the room', { roomId, ...result, error: asError(listingFailure.reason) });
        throw listingFailure.reason;
      }
      return result;
    },
  };
}

async function* listed(members: readonly FanOutTarget[]): AsyncIterableIterator<FanOutTarget> {
  yield* members;
}

// The same rule a history replay applies to the stored message, so gap-fill never hands out what fan-out withheld.
const isExcluded = (member: FanOutTarget, options: BroadcastOptions): boolean => isExcludedFor(options, member);

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));
