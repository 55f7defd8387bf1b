import type { BroadcastOptions } from './fan-out.ts';
import type { KeyRange } from './key-range.ts';

/**
 * One shard of a sharded publish: the event the fan-out shard function receives (an asynchronous
 * Lambda invocation, so at most 1 MB of JSON; the frame is at most API Gateway's 128 KB, base64 adds a third).
 *
 * - `publishId`, `roomId`: the publish and its room.
 * - `index` of `shards`: this shard's number (0-based) and how many the publish was cut into.
 * - `range`: the `connectionId` range of the room's `byRoom` index this shard owns; the ranges of
 *   one publish are disjoint and cover every key (planShards), so each member is posted by one shard.
 * - `frame`: the exact `message` frame to post (as stored in history), base64 of its UTF-8 bytes,
 *   so any text survives JSON at a bounded size.
 * - `exclude`: the publish's exclusions (the author's connection, or a user's).
 */
export interface FanOutShardJob {
  kind: 'roomgate.fan-out-shard';
  publishId: string;
  roomId: string;
  index: number;
  shards: number;
  range: KeyRange;
  frame: string;
  exclude?: BroadcastOptions;
}
