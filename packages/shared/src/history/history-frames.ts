import { RoomgateError } from '../errors.ts';
// frames.ts imports this file too: only classes used inside functions may come from it (no
// top-level use, so the import cycle is harmless).
import { FrameError, type FrameId } from '../frames.ts';

/**
 * The history part of the client ↔ socket protocol (docs/architecture.md, History and recovery).
 * A client sends `history` on every open with the position it has; the reply carries what it missed.
 */
export interface HistoryClientFrame {
  action: 'history';
  /** Optional: one room per connection today; when present it must be the connection's room. */
  roomId?: string;
  /** The epoch `since` belongs to. */
  epoch?: string;
  /** Messages with `seq > since`; absent → only the room's position. */
  since?: number;
  /** 1..200, default 100. */
  limit?: number;
  id?: FrameId;
}

/** The reply to `history`; `messages` are the stored `message` frames, exactly as fanned out. */
export interface HistoryReplyFrame {
  type: 'history';
  roomId: string;
  epoch: string | null;
  lastSeq: number;
  messages: unknown[];
  more: boolean;
  recovered: boolean;
  missed?: { from: number; to: number };
  id?: FrameId;
}

export const HISTORY_DEFAULT_LIMIT = 100;
export const HISTORY_MAX_LIMIT = 200;

/**
 * Bytes a history reply keeps for its own fields. A published frame may be at most
 * API_GATEWAY_MAX_MESSAGE_BYTES minus this, so any one message always fits a reply.
 */
export const HISTORY_REPLY_RESERVE_BYTES = 1024;

/** The largest `message` frame a publish may produce while history is on (API Gateway's 128 KB minus the reserve). */
export const HISTORY_MAX_FRAME_BYTES = 128 * 1024 - HISTORY_REPLY_RESERVE_BYTES;

/** Same alphabet and length as the epochs the history store generates, with room to change. */
const EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** The stage runs with HISTORY_TTL_SECONDS=0: no history, no recovery (Rooms API: 409). */
export class HistoryDisabledError extends RoomgateError {
  constructor() {
    super('ERR_HISTORY_DISABLED', 'history is turned off on this stage');
  }
}

/**
 * Checks the fields of a `history` frame already parsed as a JSON object. Throws FrameError
 * (`ERR_MESSAGE_INVALID`, with the frame's id) naming the first bad field.
 */
export function parseHistoryFrame(frame: Record<string, unknown>, id: FrameId | undefined): HistoryClientFrame {
  const bad = (message: string) => new FrameError('ERR_MESSAGE_INVALID', message, id);
  const parsed: HistoryClientFrame = { action: 'history', ...(id === undefined ? {} : { id }) };
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

/**
 * Serializes a history reply with the stored frames spliced in as they are: they are the very
 * strings that were fanned out, so they are not parsed and re-serialized per request.
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
