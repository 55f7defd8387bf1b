import { RoomClientError } from './errors.ts';
import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '@roomgate/protocol/subprotocols';
import type { WebSocketConstructor, WebSocketLike } from './types.ts';

export function resolveWebSocket(given: WebSocketConstructor | undefined): WebSocketConstructor {
  const found = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!found) throw new RoomClientError('ERR_NO_WEBSOCKET', 'no WebSocket implementation: pass options.WebSocket (in Node, `ws`)', { retryable: false });
  return found;
}

/**
 * Opens a socket with the token in `Sec-WebSocket-Protocol` (browsers cannot set headers on a
 * WebSocket) and, when the caller knows its room, `?room=` so a token for another room is refused.
 * A URL that names its room already (a SigV4-presigned one in IAM mode, where `room=` is signed)
 * is used byte for byte: re-serializing it could change how a signed parameter is encoded.
 */
export function openSocket(WebSocketImpl: WebSocketConstructor, socketUrl: string, token: string, roomId: string | undefined): WebSocketLike {
  let url = socketUrl;
  if (roomId !== undefined) {
    const parsed = new URL(socketUrl);
    if (!parsed.searchParams.has('room')) {
      parsed.searchParams.set('room', roomId);
      url = parsed.toString();
    }
  }
  return new WebSocketImpl(url, [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token]);
}
