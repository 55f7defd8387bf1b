import { randomBytes } from 'node:crypto';
import { ShardDispatchError, UndeliveredPublishError } from '../errors.ts';
import type { BroadcastOptions, BroadcastResult, Broadcaster, Payload } from './fan-out.ts';
import type { ConnectionStore } from '../store/connection-store.ts';
import { planShards } from './key-range.ts';
import type { FanOutShardJob } from './fan-out-shard.ts';
import type { ShardDispatcher } from './shard-dispatcher.ts';
import type { PublishStatusStore } from './publish-status.ts';
import type { FrameId } from '@roomgate/protocol/frames';
import { HISTORY_MAX_FRAME_BYTES } from '@roomgate/protocol/history';
import { encodeMessageFrame } from '@roomgate/protocol/server-frame';
import { systemClock, type Clock } from '../runtime/clock.ts';
import type { Metrics } from '../runtime/metrics.ts';
import type { HistoryStore } from '../history/history-store.ts';
import type { MessagePosition } from '../history/message-position.ts';
import type { LifecycleEvents } from '../events/lifecycle-event.ts';

export interface RoomMessage {
  roomId: string;
  /** The publishing member's user id; absent on a server publish (the author is the backend). */
  from?: string | undefined;
  data: unknown;
  broadcast?: BroadcastOptions;
  /** The client frame's id, echoed by a FrameError that refuses the message. */
  frameId?: FrameId | undefined;
  /**
   * Settles when the sender may publish (`$default`'s rate-limit write). The room's first page is
   * read meanwhile, so the write costs no round trip of its own; nothing is stored in history or
   * posted before it resolves, and its rejection is the publish's (nothing delivered, no event).
   */
  admitted?: Promise<unknown> | undefined;
}

export interface PublishedMessage extends BroadcastResult {
  /** Every publish's id (22 base64url characters); a sharded one's progress is read by it. */
  publishId: string;
  /**
   * Present when the room was too large for one invocation: the message was handed to `shards`
   * fan-out shards, which deliver it after this resolves (the counts above are then 0; the
   * publish status store has the real ones).
   */
  queued?: { shards: number };
  /** Present whenever history is on. */
  seq?: number;
  epoch?: string;
  /** Size of the serialized frame (UTF-8). */
  bytes: number;
}

export interface MessagePublisher {
  /**
   * Builds the `message` frame, stores it in history (allocating its seq), then fans it out.
   * Throws FrameError (`ERR_MESSAGE_TOO_LARGE`, `ERR_MESSAGE_INVALID`: the frame rules of
   * `encodeMessageFrame`; nothing stored or sent), StoreUnavailableError (history or
   * the room listing failed: nothing was sent), or UndeliveredPublishError (stored, but the room
   * could not be listed: members recover it from history).
   */
  publish(message: RoomMessage): Promise<PublishedMessage>;
  /**
   * Checks the frame rules without storing or sending anything, with the largest position the
   * frame may get (so a message that passes here cannot fail them in `publish`). Throws FrameError.
   * For callers that must refuse before other side effects (the Rooms API's idempotency claim).
   */
  validate(message: RoomMessage): void;
  /**
   * Queues the shards of a sharded publish that a ShardDispatchError left unqueued, and only those
   * (the shards that were queued may be running; their claims would make a second copy post
   * nothing anyway). Resolves how many were queued, 0 when none were left (or the publish is
   * unknown, expired, another room's, or the stage does not shard). For a retry with the same
   * Idempotency-Key. Throws ShardDispatchError (what is still unqueued stays kept) or StoreUnavailableError.
   */
  redispatch(roomId: string, publishId: string): Promise<number>;
}

/** The widest `seq`/`epoch` a frame can carry: a check against it holds for any real position. */
const WIDEST_POSITION: MessagePosition = { seq: Number.MAX_SAFE_INTEGER, epoch: 'x'.repeat(32) };

export interface MessagePublisherOptions {
  broadcaster: Broadcaster;
  /** Undefined when the stage runs with history off: frames then carry no seq/epoch. */
  history: HistoryStore | undefined;
  /** Largest serialized frame in bytes; with history on also at most HISTORY_MAX_FRAME_BYTES. */
  maxFrameBytes: number;
  clock?: Clock;
  /** Where `roomgate.message.published` goes (after the fan-out, or once queued to shards; counts only, never the body). */
  events?: LifecycleEvents | undefined;
  /** Who publishes through this publisher: the socket's `publish` frame (`client`) or the Rooms API (`server`). */
  origin?: 'client' | 'server';
  /** Large rooms: fan-out in shards run by other invocations. Absent: every publish fans out here. */
  sharding?: ShardingOptions | undefined;
  /**
   * `Publishes`, `Deliveries` / `DeliveryFailed` / `DeliveryStale` (per publish, zeros included)
   * and `PublishLatency` (start of `publish` to its last delivery settled), by origin.
   */
  metrics?: Metrics | undefined;
}

/**
 * When and how a publish is sharded (docs/architecture.md, "Large rooms"). The room's first page
 * (at most `threshold` + 1 members) is read while the history write runs; if it holds the whole room
 * the publish fans out here as before, otherwise the room is cut into key ranges (planShards),
 * the status is written and one shard job per range is dispatched.
 */
export interface ShardingOptions {
  store: Pick<ConnectionStore, 'listRoom'>;
  dispatcher: ShardDispatcher;
  status: Pick<PublishStatusStore, 'create' | 'keepUndispatched' | 'takeUndispatched' | 'clearUndispatched'>;
  /** Members a room may have and still fan out in the publishing invocation (FAN_OUT_SHARD_THRESHOLD). */
  threshold: number;
  /** Target members per shard (FAN_OUT_SHARD_SIZE). */
  shardSize: number;
  /** Most shards per publish (FAN_OUT_MAX_SHARDS). */
  maxShards: number;
}

/**
 * Dispatches the jobs; when some cannot be queued, keeps those in the publish's status (so a
 * retry can queue exactly them, `redispatch`) and rethrows the ShardDispatchError. If even that
 * write fails, its StoreUnavailableError is thrown instead: the publish is then handled like a
 * room that could not be listed.
 */
async function dispatchKeepingFailures(sharding: ShardingOptions, jobs: readonly FanOutShardJob[]): Promise<void> {
  try {
    await sharding.dispatcher.dispatch(jobs);
  } catch (error) {
    if (error instanceof ShardDispatchError) await sharding.status.keepUndispatched(jobs.filter((job) => error.undispatched.includes(job.index)));
    throw error;
  }
}

/** A new publish id: 16 random bytes, base64url (PUBLISH_ID_PATTERN). */
export const newPublishId = (): string => randomBytes(16).toString('base64url');

/**
 * The one publish path of both producers (the socket's `publish` frame and the Rooms API's
 * `POST /v1/rooms/{roomId}/messages`), so client and server publishes share one sequence. The
 * rule it keeps: nothing is delivered live that is not in history, so a member can miss a seq only
 * when it expired — never because a write failed after others saw the message.
 */
export function createMessagePublisher(options: MessagePublisherOptions): MessagePublisher {
  const { broadcaster, history } = options;
  const clock = options.clock ?? systemClock;
  const origin = options.origin ?? 'server';
  const published = async (message: RoomMessage, result: PublishedMessage, startedAt: number): Promise<PublishedMessage> => {
    const { delivered, failed, stale, bytes, seq, publishId, queued } = result;
    const { metrics } = options;
    metrics?.count('Publishes', { origin });
    if (queued !== undefined) {
      // Handed to shards: they count its deliveries (fan-out-shard.ts); the latency here would be the queueing time.
      metrics?.count('PublishesQueued', { origin });
    } else {
      metrics?.count('Deliveries', undefined, delivered);
      metrics?.count('DeliveryFailed', undefined, failed);
      metrics?.count('DeliveryStale', undefined, stale);
      metrics?.milliseconds('PublishLatency', performance.now() - startedAt, { origin });
    }
    await options.events?.emit({
      detailType: 'roomgate.message.published',
      detail: {
        roomId: message.roomId,
        origin,
        ...(message.from !== undefined ? { from: message.from } : {}),
        ...(seq !== undefined ? { seq } : {}),
        bytes,
        publishId,
        // Queued to shards: the counts are not known yet (zeros would read as "nobody got it").
        ...(queued !== undefined ? { queued } : { delivered, failed, stale }),
        at: clock(),
      },
    });
    return result;
  };
  const { sharding } = options;

  // Today's single-invocation fan-out, or for a room larger than the threshold, its shards.
  const fanOut = async (
    message: RoomMessage,
    publishId: string,
    payload: Payload | Promise<Payload>,
  ): Promise<BroadcastResult & { queued?: { shards: number } }> => {
    if (sharding === undefined) return broadcaster.broadcast(message.roomId, payload, message.broadcast);
    const body = Promise.resolve(payload);
    body.catch(() => undefined);
    // threshold + 1: DynamoDB answers a LastEvaluatedKey whenever a page reaches its Limit, even
    // when nothing follows, so a Limit of `threshold` would shard a room of exactly `threshold`.
    const page = await sharding.store.listRoom(message.roomId, { limit: sharding.threshold + 1 });
    if (page.cursor === undefined) return broadcaster.broadcast(message.roomId, body, { ...message.broadcast, members: page.members });
    const frame = await body;
    const plan = planShards({ firstPageKeys: page.members.map((m) => m.connectionId), shardSize: sharding.shardSize, maxShards: sharding.maxShards });
    const encoded = (typeof frame === 'string' ? Buffer.from(frame, 'utf8') : Buffer.from(frame)).toString('base64');
    const jobs = plan.ranges.map((range, index): FanOutShardJob => ({
      kind: 'roomgate.fan-out-shard',
      publishId,
      roomId: message.roomId,
      index,
      shards: plan.ranges.length,
      range,
      frame: encoded,
      ...(message.broadcast === undefined ? {} : { exclude: message.broadcast }),
    }));
    // The status exists before any shard can claim itself in it.
    await sharding.status.create({ publishId, roomId: message.roomId, shards: jobs.length });
    await dispatchKeepingFailures(sharding, jobs);
    return { delivered: 0, failed: 0, stale: 0, queued: { shards: jobs.length } };
  };

  const limit = history === undefined ? options.maxFrameBytes : Math.min(options.maxFrameBytes, HISTORY_MAX_FRAME_BYTES);

  // The frame rules every producer shares (depth, safe serialisation, size after the envelope).
  const build = (message: RoomMessage, sentAt: number, position?: MessagePosition): string =>
    encodeMessageFrame(
      {
        type: 'message',
        roomId: message.roomId,
        ...(position ?? {}),
        ...(message.from !== undefined ? { from: message.from } : {}),
        data: message.data,
        sentAt,
      },
      { maxBytes: limit, frameId: message.frameId },
    ).payload;

  return {
    async redispatch(roomId, publishId) {
      if (sharding === undefined) return 0;
      const jobs = await sharding.status.takeUndispatched(roomId, publishId);
      if (jobs.length === 0) return 0;
      await dispatchKeepingFailures(sharding, jobs);
      await sharding.status.clearUndispatched(publishId);
      return jobs.length;
    },

    validate(message) {
      build(message, clock(), history === undefined ? undefined : WIDEST_POSITION);
    },

    async publish(message) {
      const startedAt = performance.now();
      const sentAt = clock();
      const publishId = newPublishId();
      const { admitted } = message;
      if (history === undefined) {
        const payload = build(message, sentAt);
        const gated = admitted === undefined ? payload : admitted.then(() => payload);
        if (typeof gated !== 'string') gated.catch(() => undefined); // a broadcaster that never awaits it (tests) leaves no unhandled rejection
        // Awaited here as well: the refusal is the answer whether or not the broadcaster awaited the payload.
        const [result] = await Promise.all([fanOut(message, publishId, gated), admitted]);
        return published(message, { ...result, publishId, bytes: Buffer.byteLength(payload, 'utf8') }, startedAt);
      }
      // The history write and the room's first page are read at once (one round trip fewer for a
      // small room); the broadcaster posts nothing before the stored frame resolves, so the rule holds.
      // The exclusion is stored with the message: a replay to the excluded member skips it as fan-out does.
      const append = () => history.append(message.roomId, (position) => build(message, sentAt, position), message.broadcast);
      const storing = admitted === undefined ? append() : admitted.then(append);
      const [stored, fanned] = await Promise.allSettled([
        storing,
        fanOut(
          message,
          publishId,
          storing.then((s) => s.frame),
        ),
      ]);
      if (stored.status === 'rejected') throw stored.reason;
      const position = { seq: stored.value.seq, epoch: stored.value.epoch };
      if (fanned.status === 'rejected') throw new UndeliveredPublishError(position, fanned.reason);
      return published(message, { ...fanned.value, publishId, ...position, bytes: Buffer.byteLength(stored.value.frame, 'utf8') }, startedAt);
    },
  };
}
