import { FrameError } from './errors.ts';
import type { FrameId, MessageFrame } from './frames.ts';
import { API_GATEWAY_MAX_MESSAGE_BYTES } from './limits.ts';

/**
 * History and recovery (docs/architecture.md, "History and recovery"): a client sends `history`
 * on every open with the position it has; the reply carries what it missed, in order. Everything
 * is keyed by room, so several rooms on one connection extend this instead of replacing it.
 */

/**
 * `{"action":"history"}` (needs `subscribe`): messages with `seq > since`, ascending, at most
 * `limit` (1..{@link HISTORY_MAX_LIMIT}, default {@link HISTORY_DEFAULT_LIMIT}). `epoch` is the
 * epoch `since` belongs to; another current epoch makes the reply `recovered: false`.
 *
 * Without `since` (a first connect, when the client has no position): "what was published since
 * this connection joined". `$connect` records the room's last position at the join; the reply
 * holds the messages after it (in the epoch of the join; after an epoch change, from the start of
 * the new one, `recovered: false`) plus the room's position. The client delivers them in order and
 * takes its position from the last one (`lastSeq` when there are none). A message at or before the
 * join position is "before the join" and is never delivered, live or replayed. (A server or row
 * from before join positions answers with the position only.)
 *
 * `roomId` is optional (one room per connection today); when present it must be the connection's room.
 */
export interface HistoryRequestFrame {
  action: 'history';
  roomId?: string;
  epoch?: string;
  since?: number;
  limit?: number;
  id?: FrameId;
}

/** An inclusive range of sequence numbers the history no longer holds. */
export interface MissedRange {
  from: number;
  to: number;
}

/**
 * An entry of {@link HistoryReplyFrame.messages} in place of a message the publish withheld from
 * this member (the Rooms API's `excludeUserId`): the seq exists, the client advances its position
 * over it and delivers nothing, so gap-fill and replay never hand out what live delivery did not.
 */
export interface HistorySkipFrame {
  type: 'skip';
  roomId: string;
  seq: number;
  epoch: string;
}

/**
 * The reply to `history`. `epoch`/`lastSeq` are the room's current position (`null`/0 when the room
 * has no history); `messages` are the stored `message` frames exactly as they were fanned out, or a
 * {@link HistorySkipFrame} for a seq that was not fanned out to this member;
 * `more` asks for another page with `since` = the last returned seq; `recovered: false` when the
 * range after `since` cannot be served whole (`missed` names what is gone when known; absent on an
 * epoch change).
 */
export interface HistoryReplyFrame {
  type: 'history';
  roomId: string;
  epoch: string | null;
  lastSeq: number;
  messages: (MessageFrame | HistorySkipFrame)[];
  more: boolean;
  recovered: boolean;
  missed?: MissedRange;
  id?: FrameId;
}

export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 200;

/**
 * Bytes a history reply keeps for its own fields. With history on a published frame may be at most
 * API Gateway's 128 KB minus this, so any one message always fits a reply.
 */
export const HISTORY_REPLY_RESERVE_BYTES = 1024;

/** The largest `message` frame a publish may produce while history is on, in UTF-8 bytes. */
export const HISTORY_MAX_FRAME_BYTES = API_GATEWAY_MAX_MESSAGE_BYTES - HISTORY_REPLY_RESERVE_BYTES;

/** Epochs: the alphabet and length the history store generates, with room to change. */
export const EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Checks the fields of a `history` frame already parsed as a JSON object (the server side). Throws
 * FrameError (`ERR_MESSAGE_INVALID`, with the frame's id) naming the first bad field.
 */
export function parseHistoryRequest(frame: Record<string, unknown>, id: FrameId | undefined): HistoryRequestFrame {
  const bad = (message: string) => new FrameError('ERR_MESSAGE_INVALID', message, id);
  const parsed: HistoryRequestFrame = { action: 'history', ...(id === undefined ? {} : { id }) };
  if (frame.roomId !== undefined) {
    if (typeof frame.roomId !== 'string' || frame.roomId === '') throw bad('history "roomId" must be a non-empty string');
    parsed.roomId = frame.roomId;
  }
  if (frame.epoch !== undefined && frame.epoch !== null) {
    if (typeof frame.epoch !== 'string' || !EPOCH_PATTERN.test(frame.epoch)) throw bad('history "epoch" must be 1-32 characters of [A-Za-z0-9_-]');
    parsed.epoch = frame.epoch;
  }
  if (frame.since !== undefined) {
    if (!Number.isSafeInteger(frame.since) || (frame.since as number) < 0) throw bad('history "since" must be an integer >= 0');
    parsed.since = frame.since as number;
  }
  if (frame.limit !== undefined) {
    if (!Number.isInteger(frame.limit) || (frame.limit as number) < 1 || (frame.limit as number) > HISTORY_MAX_LIMIT) {
      throw bad(`history "limit" must be an integer from 1 to ${HISTORY_MAX_LIMIT}`);
    }
    parsed.limit = frame.limit as number;
  }
  return parsed;
}

/** Whether a history reply has the shape a client relies on (the client side; a newer or broken server may differ). */
export function isHistoryReply(frame: unknown): frame is HistoryReplyFrame {
  const reply = frame as Partial<HistoryReplyFrame> | null;
  return (
    typeof reply === 'object' &&
    reply !== null &&
    reply.type === 'history' &&
    typeof reply.roomId === 'string' &&
    (reply.epoch === null || typeof reply.epoch === 'string') &&
    Number.isSafeInteger(reply.lastSeq) &&
    typeof reply.more === 'boolean' &&
    typeof reply.recovered === 'boolean' &&
    Array.isArray(reply.messages) &&
    reply.messages.every(isHistoryEntry)
  );
}

/** A message frame with its position, or a skip entry; anything else makes the reply malformed. */
function isHistoryEntry(entry: unknown): boolean {
  const m = entry as Partial<MessageFrame> | Partial<HistorySkipFrame> | null;
  if (typeof m !== 'object' || m === null || !Number.isSafeInteger(m.seq) || typeof m.epoch !== 'string') return false;
  return m.type === 'message' || (m.type === 'skip' && typeof m.roomId === 'string');
}

/**
 * Serializes a history reply with the stored frames spliced in as they are (the server side): they
 * are the very strings that were fanned out, so they are not parsed and re-serialized per request.
 */
export function serializeHistoryReply(reply: Omit<HistoryReplyFrame, 'messages'>, frames: readonly string[]): string {
  const { type, roomId, epoch, lastSeq } = reply;
  const head = JSON.stringify({ type, roomId, epoch, lastSeq });
  const tail = JSON.stringify({
    more: reply.more,
    recovered: reply.recovered,
    ...(reply.missed === undefined ? {} : { missed: reply.missed }),
    ...(reply.id === undefined ? {} : { id: reply.id }),
  });
  return `${head.slice(0, -1)},"messages":[${frames.join(',')}],${tail.slice(1)}`;
}
