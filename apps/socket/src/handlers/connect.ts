import type { ConnectionStore } from '@roomgate/shared/connection-store';
import { isRoomgateError, type ErrorCode } from '@roomgate/shared/errors';
import { describeError, tokenFingerprint } from '@roomgate/shared/logger';
import { systemClock, type Clock, type Logger, type TokenVerifier } from '@roomgate/shared/types';
import type { WebSocketConnectEvent, WebSocketResult } from '../events.ts';
import { CapabilityForbiddenError, RoomForbiddenError, TokenMissingError } from '@roomgate/shared/errors';
import { readHandshake } from '../handshake.ts';

export interface ConnectDeps {
  verifier: TokenVerifier;
  store: Pick<ConnectionStore, 'put'>;
  logger: Logger;
  clock?: Clock;
}

/**
 * Expired and invalid are both 401 but told apart by `error.code` in the body and the
 * `x-roomgate-error` header, so a client knows to fetch a fresh token rather than give up.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_VALIDATION: 400,
  ERR_TOKEN_MISSING: 401,
  ERR_TOKEN_EXPIRED: 401,
  ERR_TOKEN_NOT_YET_VALID: 401,
  ERR_TOKEN_INVALID: 401,
  ERR_ROOM_FORBIDDEN: 403,
  ERR_CAPABILITY_FORBIDDEN: 403,
  // A row already exists under this connection id: API Gateway never runs `$connect` twice for one
  // connection, so this is a replayed or forged event; the live row is left as it is.
  ERR_CONNECTION_EXISTS: 409,
  ERR_KEY_UNAVAILABLE: 503,
  ERR_STORE_UNAVAILABLE: 503,
};

/**
 * `$connect`: verify the token, then record the connection. Any failure returns a non-2xx, which
 * makes API Gateway refuse the handshake; the row is written only after every check passed, and
 * a failed write refuses the connection too (an untracked connection would never get messages).
 * The write never overwrites an existing row (409 ERR_CONNECTION_EXISTS, docs/security.md).
 */
export function makeConnectHandler(deps: ConnectDeps) {
  const clock = deps.clock ?? systemClock;

  return async (event: WebSocketConnectEvent): Promise<WebSocketResult> => {
    const connectionId = event.requestContext.connectionId;
    let fingerprint: string | undefined;
    try {
      const handshake = readHandshake(event);
      if (handshake.token === undefined) throw new TokenMissingError();
      fingerprint = tokenFingerprint(handshake.token);
      const grant = await deps.verifier.verify(handshake.token);
      if (handshake.requestedRoom !== undefined && handshake.requestedRoom !== grant.roomId) throw new RoomForbiddenError();
      // Every connection receives its room's messages, so joining needs `subscribe`;
      // publish-only tokens are for server-side publishers, not sockets.
      if (!grant.capabilities.includes('subscribe')) throw new CapabilityForbiddenError('token does not grant subscribe');

      await deps.store.put({
        connectionId,
        roomId: grant.roomId,
        ...(grant.userId !== undefined ? { userId: grant.userId } : {}),
        capabilities: grant.capabilities,
        connectedAt: clock(),
        tokenExpiresAt: grant.expiresAt,
      });
      deps.logger.info('connected', {
        connectionId,
        roomId: grant.roomId,
        userId: grant.userId,
        capabilities: grant.capabilities,
        tokenSource: handshake.tokenSource,
        token: fingerprint,
        kid: grant.kid,
        legacy: grant.legacy,
        tokenExpiresAt: grant.expiresAt,
      });
      return handshake.subprotocol === undefined
        ? { statusCode: 200 }
        : { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': handshake.subprotocol } };
    } catch (error) {
      return refuse(error, { connectionId, token: fingerprint }, deps.logger);
    }
  };
}

/**
 * A missing or malformed public-keys secret is the operator's problem, not the client's: the
 * client sees the same retryable 503 as for an outage (as the token API answers), the log the code.
 */
const PUBLIC_CODE: Partial<Record<ErrorCode, ErrorCode>> = {
  ERR_KEY_NOT_FOUND: 'ERR_KEY_UNAVAILABLE',
  ERR_KEY_MALFORMED: 'ERR_KEY_UNAVAILABLE',
};

function refuse(error: unknown, fields: Record<string, unknown>, logger: Logger): WebSocketResult {
  const raw: ErrorCode = isRoomgateError(error) ? error.code : 'ERR_INTERNAL';
  const code = PUBLIC_CODE[raw] ?? raw;
  const statusCode = STATUS[code] ?? 500;
  const err = error instanceof Error ? describeError(error) : { message: String(error) };
  if (statusCode >= 500) logger.error('connect refused', { ...fields, statusCode, code, error: err });
  else logger.warn('connect refused', { ...fields, statusCode, code, reason: err.message });
  // 5xx bodies never carry internals; 4xx messages are written to be shown to the caller.
  const message =
    statusCode >= 500
      ? code === 'ERR_INTERNAL'
        ? 'internal error'
        : 'service temporarily unavailable, retry'
      : (error as Error).message;
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-roomgate-error': code },
    body: JSON.stringify({ error: { code, message } }),
  };
}
