import { FrameError } from '@roomgate/protocol/errors';
import type { WebSocketMessageEvent } from './events.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of one client message, whatever way the transport delivered it: a string; a
 * base64 string with `isBase64Encoded` (API Gateway's form for a binary frame); raw bytes
 * (serverless-offline hands a binary frame over as a Buffer). Bytes must be UTF-8, as in a text
 * frame (RFC 6455 §5.6). Returns undefined for an empty body; anything else the parser refuses.
 *
 * Throws FrameError `ERR_MESSAGE_INVALID` for invalid base64 or invalid UTF-8: a client's bytes
 * are never a server fault.
 */
export function readFrameText(event: Pick<WebSocketMessageEvent, 'body' | 'isBase64Encoded'>): unknown {
  const body: unknown = event.body;
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') {
    if (!event.isBase64Encoded) return body;
    if (!BASE64.test(body)) throw new FrameError('ERR_MESSAGE_INVALID', 'binary message is not valid base64');
    return decodeUtf8(Buffer.from(body, 'base64'));
  }
  if (body instanceof Uint8Array) return decodeUtf8(body);
  if (body instanceof ArrayBuffer) return decodeUtf8(new Uint8Array(body));
  return body;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FrameError('ERR_MESSAGE_INVALID', 'binary message is not valid UTF-8 text');
  }
}
