/**
 * Browsers cannot set an Authorization header on `new WebSocket()`, so the token rides in
 * `Sec-WebSocket-Protocol`: `new WebSocket(url, [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + jwt])`.
 * The server echoes {@link SUBPROTOCOL}, never the token-bearing entry. Offer it first:
 * serverless-offline ignores the `$connect` response headers and echoes the first offered entry.
 */
export const SUBPROTOCOL = 'roomgate.v1';

/** Prefix of the subprotocol entry that carries the JWT (base64url and dots are RFC 7230 tchars). */
export const TOKEN_SUBPROTOCOL_PREFIX = 'roomgate.token.';
