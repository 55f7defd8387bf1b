/**
 * The socket service's wire protocol, as the client sees it. Mirrors `@roomgate/shared/frames`
 * (a type test keeps the two in step) instead of importing it, so browser bundles never reach for
 * the server package and its AWS SDK dependencies.
 */
export type FrameId = string | number;

export type ClientFrame =
  | { action: 'publish'; data: unknown; id?: FrameId }
  | { action: 'ping'; id?: FrameId }
  | { action: 'refresh'; token: string; id?: FrameId }
  | HistoryRequestFrame;

/**
 * Codes the socket service puts in error frames (`@roomgate/shared/errors`). A newer server may
 * send a code not listed here; it is passed through unchanged.
 */
export type ServerErrorCode =
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_MISSING'
  | 'ERR_ROOM_FORBIDDEN'
  | 'ERR_CAPABILITY_FORBIDDEN'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_KEY_UNAVAILABLE'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_MALFORMED'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_CONNECTION_GONE'
  | 'ERR_DELIVERY_FAILED'
  | 'ERR_VALIDATION'
  | 'ERR_MESSAGE_INVALID'
  | 'ERR_MESSAGE_TOO_LARGE'
  | 'ERR_UNKNOWN_ACTION'
  | 'ERR_NOT_FOUND'
  | 'ERR_IDEMPOTENCY_KEY_REUSED'
  | 'ERR_IDEMPOTENCY_IN_PROGRESS'
  /** A backend removed this user from the room (Rooms API); the client stops, it does not reconnect. */
  | 'ERR_KICKED'
  | HistoryErrorCode
  | 'ERR_INTERNAL';

export type ServerFrame =
  | MessageFrame
  | { type: 'ack'; action: 'publish'; delivered: number; failed: number; stale: number; id?: FrameId } & HistoryPosition
  | { type: 'pong'; id?: FrameId }
  | { type: 'refreshed'; tokenExpiresAt: number; id?: FrameId }
  | { type: 'error'; code: ServerErrorCode; message: string; id?: FrameId }
  | HistoryReplyFrame;

export type MessageFrame = { type: 'message'; roomId: string; from?: string; data: unknown; sentAt: number } & HistoryPosition;

/** Offered first: the server (and serverless-offline, which echoes the first entry) picks it. */
export const SUBPROTOCOL = 'roomgate.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'roomgate.token.';

/** API Gateway refuses WebSocket messages over 128 KB. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** Reads one server message; `undefined` for anything that is not a known frame. */
export function parseServerFrame(raw: unknown): ServerFrame | undefined {
  const text = typeof raw === 'string' ? raw : raw instanceof ArrayBuffer ? new TextDecoder().decode(raw) : String(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return type === 'message' || type === 'ack' || type === 'pong' || type === 'refreshed' || type === 'error' || type === 'history'
    ? (value as ServerFrame)
    : undefined;
}

// ---- History and recovery (issue 13, /work/wt/briefs/history-spec.md) -------------------------
// Everything below moves to `@roomgate/protocol` with the rest of this file; until the socket
// service's frames (`@roomgate/shared/frames`) carry it too, the type test compares the two
// without this block.

/**
 * A message's place in its room's stream: `seq` (integer ≥ 1, gap-free and strictly increasing
 * within an epoch) and `epoch` (1–32 chars `[A-Za-z0-9_-]`, a new one when the room's history was
 * empty). Present on `message` frames and publish acks whenever the stage keeps history.
 */
export interface HistoryPosition {
  seq?: number;
  epoch?: string;
}

/**
 * `{"action":"history"}`: messages with `seq > since` (ascending, at most `limit`, 1..200, default
 * 100). Without `since` the reply holds no messages, only the room's position. `epoch` is the
 * epoch `since` belongs to; another current epoch makes the reply `recovered: false`.
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
 * The reply to `history`. `epoch`/`lastSeq` are the room's current position (`null`/0 when the
 * room has no history); `more` asks for another page with `since` = the last returned seq;
 * `recovered: false` when the range after `since` cannot be served whole (`missed` names what is
 * gone when known; absent on an epoch change).
 */
export interface HistoryReplyFrame {
  type: 'history';
  roomId: string;
  epoch: string | null;
  lastSeq: number;
  messages: MessageFrame[];
  more: boolean;
  recovered: boolean;
  missed?: MissedRange;
  id?: FrameId;
}

/** `ERR_HISTORY_DISABLED`: the stage keeps no history (`HISTORY_TTL_SECONDS=0`); the client stops asking. */
export type HistoryErrorCode = 'ERR_HISTORY_DISABLED';

/** Whether a history reply has the shape the client relies on (a newer or broken server may differ). */
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
    reply.messages.every((m) => m?.type === 'message' && Number.isSafeInteger(m.seq) && typeof m.epoch === 'string')
  );
}
