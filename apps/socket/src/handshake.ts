import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '@roomgate/protocol/subprotocols';
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
 * `?token=<jwt>` (the source article's way) works too but leaves the token in access logs. Both
 * may be sent only if they carry the same token: in IAM mode the signed URL's `token=` is what the
 * SigV4 signature covers, so a different (say, stolen) token in the subprotocol must not ride on
 * someone else's signed URL; outside IAM mode two different credentials are ambiguous anyway.
 * Disagreeing tokens are refused before either is verified. `?room=<id>`
 * optionally names the room the client expects, so a token for another room is refused with 403
 * instead of silently joining it. A repeated `token` or `room` parameter (or token subprotocol)
 * is refused: API Gateway keeps only the last value in `queryStringParameters`, while a proxy, WAF
 * or log filter in front may act on the first, and the two would disagree about which credential
 * or room was asked for.
 */
export { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX };

export interface Handshake {
  token: string | undefined;
  tokenSource: 'subprotocol' | 'query' | undefined;
  /** The subprotocol to echo in the 200 response, if the client offered any of ours. */
  subprotocol: string | undefined;
  requestedRoom: string | undefined;
}

export function readHandshake(event: WebSocketConnectEvent): Handshake {
  const offered = offeredSubprotocols(event);
  const tokenEntries = offered.filter((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  if (tokenEntries.length > 1) throw new HandshakeInvalidError('offer the token subprotocol at most once');
  const tokenEntry = tokenEntries[0];
  const subprotocol = offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : undefined;
  if (tokenEntry !== undefined && subprotocol === undefined) {
    throw new HandshakeInvalidError(`offer "${SUBPROTOCOL}" alongside the token subprotocol`);
  }
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if ((name === 'token' || name === 'room') && (values?.length ?? 0) > 1) {
      throw new HandshakeInvalidError(`pass "${name}" at most once`);
    }
  }
  const query = event.queryStringParameters ?? {};
  const subprotocolToken = tokenEntry?.slice(TOKEN_SUBPROTOCOL_PREFIX.length) || undefined;
  const queryToken = query.token || undefined;
  if (subprotocolToken !== undefined && queryToken !== undefined && subprotocolToken !== queryToken) {
    throw new HandshakeInvalidError('the token in the subprotocol and in ?token= differ; send one token');
  }
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
  return values
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}
