import { RoomgateError, type ErrorCode } from './errors.ts';
import { parseHistoryFrame, type HistoryClientFrame, type HistoryReplyFrame } from './history/history-frames.ts';

/**
 * The client ↔ socket-service protocol: one JSON object per WebSocket message. Every client frame
 * may carry an `id` (string or number, ≤ 64 chars) that the reply echoes, so clients can match
 * acks and errors to requests.
 */
export type FrameId = string | number;

export type ClientFrame =
  /** Fan `data` out to the sender's room (needs the `publish` capability). */
  | { action: 'publish'; data: unknown; id?: FrameId }
  /** Keep-alive: API Gateway drops a connection idle for 10 minutes. */
  | { action: 'ping'; id?: FrameId }
  /** A fresh token for the same room; moves the connection's token expiry. */
  | { action: 'refresh'; token: string; id?: FrameId }
  /** What the room published after a position (needs `subscribe`): history/history-frames.ts. */
  | HistoryClientFrame;

export type ServerFrame =
  /** `seq`/`epoch` are present whenever history is on (docs/architecture.md, History and recovery). */
  | { type: 'message'; roomId: string; seq?: number; epoch?: string; from?: string; data: unknown; sentAt: number }
  | { type: 'ack'; action: 'publish'; seq?: number; epoch?: string; delivered: number; failed: number; stale: number; id?: FrameId }
  | HistoryReplyFrame
  | { type: 'pong'; id?: FrameId }
  | { type: 'refreshed'; tokenExpiresAt: number; id?: FrameId }
  | { type: 'error'; code: ErrorCode; message: string; id?: FrameId };

/** API Gateway's hard limit for one WebSocket message (sent or received). */
export const API_GATEWAY_MAX_MESSAGE_BYTES = 128 * 1024;

/** A client frame that cannot be accepted; the connection stays open and gets an error frame. */
export class FrameError extends RoomgateError {
  readonly frameId: FrameId | undefined;

  constructor(code: Extract<ErrorCode, 'ERR_MESSAGE_INVALID' | 'ERR_MESSAGE_TOO_LARGE' | 'ERR_UNKNOWN_ACTION'>, message: string, frameId?: FrameId) {
    super(code, message);
    this.frameId = frameId;
  }
}

const ACTIONS = ['publish', 'ping', 'refresh', 'history'] as const;

/**
 * Deepest array/object nesting a client frame may have. JSON.parse copes with any depth, but the
 * fan-out envelope is built with JSON.stringify, which recurses: around 5,000 levels (20 KB, well
 * under the size limit) overflow its stack. Receivers' parsers are spared the same trap.
 */
export const MAX_FRAME_DEPTH = 64;

/** Parses one client message. Throws FrameError (with the frame's `id` when it could be read). */
export function parseClientFrame(raw: string | undefined, options: { maxBytes: number }): ClientFrame {
  if (raw === undefined || raw === '') throw new FrameError('ERR_MESSAGE_INVALID', 'message is empty');
  // Checked before JSON.parse so an oversized frame costs no parsing.
  const size = Buffer.byteLength(raw, 'utf8');
  if (size > options.maxBytes) {
    throw new FrameError('ERR_MESSAGE_TOO_LARGE', `message is ${size} bytes, the limit is ${options.maxBytes}`);
  }
  if (nestsDeeperThan(raw, MAX_FRAME_DEPTH)) {
    throw new FrameError('ERR_MESSAGE_INVALID', `message nests deeper than ${MAX_FRAME_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new FrameError('ERR_MESSAGE_INVALID', 'message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FrameError('ERR_MESSAGE_INVALID', 'message must be a JSON object');
  }
  const frame = value as Record<string, unknown>;
  const id = readId(frame.id);
  const withId = id === undefined ? {} : { id };
  if (typeof frame.action !== 'string') throw new FrameError('ERR_MESSAGE_INVALID', 'message has no "action"', id);

  switch (frame.action) {
    case 'publish':
      if (!('data' in frame) || frame.data === undefined) throw new FrameError('ERR_MESSAGE_INVALID', 'publish needs "data"', id);
      return { action: 'publish', data: frame.data, ...withId };
    case 'ping':
      return { action: 'ping', ...withId };
    case 'refresh':
      if (typeof frame.token !== 'string' || frame.token === '') {
        throw new FrameError('ERR_MESSAGE_INVALID', 'refresh needs a "token" string', id);
      }
      return { action: 'refresh', token: frame.token, ...withId };
    case 'history':
      return parseHistoryFrame(frame, id);
    default:
      throw new FrameError('ERR_UNKNOWN_ACTION', `unknown action; expected one of ${ACTIONS.join(', ')}`, id);
  }
}

/** One pass over the text, skipping string contents; brackets in malformed JSON count as well. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** The `id` is echoed back, so only small scalars are accepted; anything else is ignored. */
function readId(value: unknown): FrameId | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length <= 64) return value;
  return undefined;
}

export function serializeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

export function errorFrame(code: ErrorCode, message: string, id?: FrameId): ServerFrame {
  return id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id };
}
