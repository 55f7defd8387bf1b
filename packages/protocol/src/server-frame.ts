import type { ErrorCode } from './error-codes.ts';
import { FrameError } from './errors.ts';
import type { FrameId, MessageFrame, ServerFrame } from './frames.ts';
import { utf8ByteLength, valueHasPrototypeMember, valueNestsDeeperThan } from './json-text.ts';
import { stringifyOrThrow } from './client-frame.ts';
import { API_GATEWAY_MAX_MESSAGE_BYTES, MAX_FRAME_DEPTH } from './limits.ts';

/** A `message` frame ready to post: its text and that text's size in UTF-8 bytes. */
export interface EncodedMessage {
  payload: string;
  bytes: number;
}

/**
 * Builds the `message` frame every producer delivers (a client publish on `$default`, a server
 * publish through the Rooms API, anything later), so the frame rules hold on every path:
 * - `data` nests at most MAX_FRAME_DEPTH − 1 levels (the envelope is the first): `ERR_MESSAGE_INVALID`;
 * - it carries no `__proto__` member and no `constructor.prototype` (prototype pollution in
 *   receivers; the HTTP APIs refuse such bodies too): `ERR_MESSAGE_INVALID`;
 * - it serialises (a cycle, a BigInt, a stack overflow are the caller's): `ERR_MESSAGE_INVALID`;
 * - the serialised frame, envelope included, is at most `maxBytes` UTF-8 bytes, never more than
 *   API Gateway's 128 KB: `ERR_MESSAGE_TOO_LARGE`.
 * Throws FrameError carrying `frameId` (the request's id, echoed in the error frame).
 */
export function encodeMessageFrame(message: MessageFrame, options: { maxBytes: number; frameId?: FrameId }): EncodedMessage {
  const { frameId } = options;
  const maxBytes = Math.min(options.maxBytes, API_GATEWAY_MAX_MESSAGE_BYTES);
  if (valueNestsDeeperThan(message.data, MAX_FRAME_DEPTH - 1)) {
    throw new FrameError('ERR_MESSAGE_INVALID', `data nests deeper than ${MAX_FRAME_DEPTH - 1} levels`, frameId);
  }
  if (valueHasPrototypeMember(message.data)) {
    throw new FrameError('ERR_MESSAGE_INVALID', 'data has a "__proto__" or "constructor.prototype" member, which is refused (prototype pollution)', frameId);
  }
  const payload = stringifyOrThrow(message, frameId);
  const bytes = utf8ByteLength(payload);
  if (bytes > maxBytes) {
    throw new FrameError('ERR_MESSAGE_TOO_LARGE', `the message frame is ${bytes} bytes, the limit is ${maxBytes}`, frameId);
  }
  return { payload, bytes };
}

/** Serialises a reply frame the server builds itself (ack, pong, refreshed, error): flat, never too deep. */
export function serializeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

export function errorFrame(code: ErrorCode, message: string, id?: FrameId): ServerFrame {
  return id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id };
}

const SERVER_FRAME_TYPES: ReadonlySet<unknown> = new Set(['message', 'ack', 'pong', 'refreshed', 'error', 'history', 'presence', 'members']);

/** Reads one server message (the client side); `undefined` for anything that is not a known frame. */
export function parseServerFrame(raw: unknown): ServerFrame | undefined {
  const text = typeof raw === 'string' ? raw : raw instanceof ArrayBuffer ? new TextDecoder().decode(raw) : String(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  return SERVER_FRAME_TYPES.has((value as { type?: unknown }).type) ? (value as ServerFrame) : undefined;
}
