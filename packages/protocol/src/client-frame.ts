import { FrameError } from './errors.ts';
import { MAX_FRAME_ID_LENGTH, type ClientFrame, type FrameId } from './frames.ts';
import { parseHistoryRequest } from './history.ts';
import { parseMembersRequest } from './presence.ts';
import { peekTopLevelId, textNestsDeeperThan, utf8ByteLength, valueNestsDeeperThan } from './json-text.ts';
import { API_GATEWAY_MAX_MESSAGE_BYTES, MAX_FRAME_DEPTH } from './limits.ts';

const ACTIONS = ['publish', 'ping', 'refresh', 'history', 'members'] as const;

/**
 * Parses one client message (the server side). `raw` is whatever the transport delivered: only
 * a non-empty string is a frame, so a binary frame or a missing body is refused like any other
 * bad frame. `maxBytes` is in UTF-8 bytes.
 *
 * Throws FrameError — `ERR_MESSAGE_TOO_LARGE`, `ERR_MESSAGE_INVALID` or `ERR_UNKNOWN_ACTION` —
 * carrying the frame's `id` whenever it can be read, also for frames refused before they are
 * parsed, so the client can fail the matching request at once instead of waiting for a timeout.
 */
export function parseClientFrame(raw: unknown, options: { maxBytes: number }): ClientFrame {
  if (typeof raw !== 'string') {
    throw new FrameError(
      'ERR_MESSAGE_INVALID',
      raw === undefined || raw === null ? 'message is empty' : 'message must be JSON text; binary frames are not accepted',
    );
  }
  if (raw === '') throw new FrameError('ERR_MESSAGE_INVALID', 'message is empty');
  // Checked before JSON.parse so an oversized or over-deep frame costs no parsing.
  const size = utf8ByteLength(raw);
  if (size > options.maxBytes) {
    throw new FrameError('ERR_MESSAGE_TOO_LARGE', `message is ${size} bytes, the limit is ${options.maxBytes}`, peekFrameId(raw));
  }
  if (textNestsDeeperThan(raw, MAX_FRAME_DEPTH)) {
    throw new FrameError('ERR_MESSAGE_INVALID', `message nests deeper than ${MAX_FRAME_DEPTH} levels`, peekFrameId(raw));
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new FrameError('ERR_MESSAGE_INVALID', 'message is not JSON', peekFrameId(raw));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FrameError('ERR_MESSAGE_INVALID', 'message must be a JSON object');
  }
  const frame = value as Record<string, unknown>;
  const id = readFrameId(frame.id);
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
      return parseHistoryRequest(frame, id);
    case 'members':
      return parseMembersRequest(frame, id);
    default:
      throw new FrameError('ERR_UNKNOWN_ACTION', `unknown action; expected one of ${ACTIONS.join(', ')}`, id);
  }
}

/**
 * The `id` of a frame that was not parsed (a bounded scan for its top-level `"id"` member), or
 * undefined when there is none or it is not a valid id.
 */
export function peekFrameId(raw: string): FrameId | undefined {
  return readFrameId(peekTopLevelId(raw));
}

/** The `id` is echoed back, so only small scalars are accepted; anything else is ignored. */
export function readFrameId(value: unknown): FrameId | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length <= MAX_FRAME_ID_LENGTH) return value;
  return undefined;
}

/**
 * Serialises a client frame the way the server will accept it (the client side). Throws
 * FrameError before anything is sent: `ERR_MESSAGE_INVALID` when `data` nests deeper than the
 * frame limit allows or cannot be serialised (a cycle, a BigInt), `ERR_MESSAGE_TOO_LARGE` when
 * the text exceeds `maxBytes` (UTF-8 bytes; default and ceiling: API Gateway's 128 KB).
 */
export function encodeClientFrame(frame: ClientFrame, options: { maxBytes?: number } = {}): string {
  const maxBytes = Math.min(options.maxBytes ?? API_GATEWAY_MAX_MESSAGE_BYTES, API_GATEWAY_MAX_MESSAGE_BYTES);
  if (frame.action === 'publish' && valueNestsDeeperThan(frame.data, MAX_FRAME_DEPTH - 1)) {
    throw new FrameError('ERR_MESSAGE_INVALID', `data nests deeper than ${MAX_FRAME_DEPTH - 1} levels`, frame.id);
  }
  const text = stringifyOrThrow(frame, frame.id);
  const bytes = utf8ByteLength(text);
  if (bytes > maxBytes) throw new FrameError('ERR_MESSAGE_TOO_LARGE', `${frame.action} is ${bytes} bytes, the limit is ${maxBytes}`, frame.id);
  return text;
}

/** JSON.stringify whose failures (a cycle, a BigInt, a throwing toJSON) are the caller's fault. */
export function stringifyOrThrow(value: unknown, frameId?: FrameId): string {
  try {
    const text = JSON.stringify(value);
    if (typeof text === 'string') return text;
  } catch {
    // fall through: the reason (cycle, BigInt…) names the caller's data, not a server fault
  }
  throw new FrameError('ERR_MESSAGE_INVALID', 'data cannot be serialised as JSON', frameId);
}
