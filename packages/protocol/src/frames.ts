import type { ErrorCode } from './error-codes.ts';
import type { HistoryReplyFrame, HistoryRequestFrame } from './history.ts';
import type { MembersReplyFrame, MembersRequestFrame, PresenceFrame } from './presence.ts';

/**
 * The client ↔ socket-service protocol: one JSON object per WebSocket text message. Every client
 * frame may carry an `id` (a finite number, or a string of at most {@link MAX_FRAME_ID_LENGTH}
 * characters) that the reply echoes, so clients can match acks and errors to requests.
 */
export type FrameId = string | number;

export type ClientFrame =
  /** Fan `data` out to the sender's room (needs the `publish` capability). */
  | { action: 'publish'; data: unknown; id?: FrameId }
  /** Keep-alive: API Gateway drops a connection idle for 10 minutes. */
  | { action: 'ping'; id?: FrameId }
  /** A fresh token for the same room; moves the connection's token expiry. */
  | { action: 'refresh'; token: string; id?: FrameId }
  /** What the room published after a position (needs `subscribe`): history.ts. */
  | HistoryRequestFrame
  /** The room's current members (needs `presence`): presence.ts. */
  | MembersRequestFrame;

/**
 * What every member of a room receives for a publish (by a member, or by a backend without `from`).
 * `sentAt` is epoch seconds. `seq` (integer ≥ 1, gap-free and strictly increasing per room within an
 * epoch) and `epoch` (the stream's identity) are present whenever the stage keeps history.
 */
export type MessageFrame = { type: 'message'; roomId: string; seq?: number; epoch?: string; from?: string; data: unknown; sentAt: number };

/**
 * The answer to a client `publish`. `publishId`: the publish's id (servers before large-room
 * support omit it). `queued`: the room was larger than the stage's sharding threshold, so the
 * message was handed to `shards` fan-out shards that deliver it after this ack; `delivered`,
 * `failed` and `stale` are then 0 (the counts are in the Rooms API's publish status). Without
 * `queued` the counts are final.
 */
export type PublishAckFrame = {
  type: 'ack';
  action: 'publish';
  publishId?: string;
  queued?: { shards: number };
  seq?: number;
  epoch?: string;
  delivered: number;
  failed: number;
  stale: number;
  id?: FrameId;
};

export type ServerFrame =
  | MessageFrame
  | PublishAckFrame
  | HistoryReplyFrame
  | PresenceFrame
  | MembersReplyFrame
  | { type: 'pong'; id?: FrameId }
  /** `tokenExpiresAt` is epoch seconds. */
  | { type: 'refreshed'; tokenExpiresAt: number; id?: FrameId }
  | { type: 'error'; code: ErrorCode; message: string; id?: FrameId };

/** The longest string `id` a frame may carry; a longer one is ignored (never echoed). */
export const MAX_FRAME_ID_LENGTH = 64;
