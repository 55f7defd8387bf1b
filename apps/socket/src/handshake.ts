import type { WebSocketConnectEvent } from './events.ts';
import { HandshakeInvalidError } from './errors.ts';

/**
 * Browsers cannot set an Authorization header on `new WebSocket()`, so the token rides in
 * `Sec-WebSocket-Protocol`, the one header they can set:
 *
 *   new WebSocket(url, ['roomgate.v1', `roomgate.token.${jwt}`])
 *
 * A JWS compact token is base64url segments joined by dots, all valid in a subprotocol token
 * (RFC 6455 → RFC 7230 tchar). The server echoes `roomgate.v1` (never the token-bearing entry,
 * which would put the credential in a response header), as browsers require one offered
 * protocol back. List `roomgate.v1` first: serverless-offline ignores the `$connect` response
 * headers and its ws server echoes the first offered protocol.
 *
 * `?token=<jwt>` (the source article's way) works too but leaves the token in access logs; the
 * subprotocol wins when both are present. `?room=<id>` optionally names the room the client
 * expects, so a token for another room is refused with 403 instead of silently joining it.
 */
export const SUBPROTOCOL = 'roomgate.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'roomgate.token.';

export interface Handshake {
  token: string | undefined;
  tokenSource: 'subprotocol' | 'query' | undefined;
  /** The subprotocol to echo in the 200 response, if the client offered any of ours. */
  subprotocol: string | undefined;
  requestedRoom: string | undefined;
}

export function readHandshake(event: WebSocketConnectEvent): Handshake {
  const offered = offeredSubprotocols(event);
  const tokenEntry = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  const subprotocol = offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : undefined;
  if (tokenEntry !== undefined && subprotocol === undefined) {
    throw new HandshakeInvalidError(`offer "${SUBPROTOCOL}" alongside the token subprotocol`);
  }
  const query = event.queryStringParameters ?? {};
  const subprotocolToken = tokenEntry?.slice(TOKEN_SUBPROTOCOL_PREFIX.length) || undefined;
  const queryToken = query.token || undefined;
  const token = subprotocolToken ?? queryToken;
  return {
    token,
    tokenSource: subprotocolToken !== undefined ? 'subprotocol' : queryToken !== undefined ? 'query' : undefined,
    subprotocol,
    requestedRoom: query.room || undefined,
  };
}

function offeredSubprotocols(event: WebSocketConnectEvent): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(event.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'sec-websocket-protocol' && value) values.push(...value);
  }
  if (values.length === 0) {
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (name.toLowerCase() === 'sec-websocket-protocol' && value) values.push(value);
    }
  }
  return values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}
