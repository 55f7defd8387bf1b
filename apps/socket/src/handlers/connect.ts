import type { ConnectionStore } from '@roomgate/shared/store';
import { joinPosition, type HistoryStore } from '@roomgate/shared/history';
import { CapabilityForbiddenError, RoomForbiddenError, TokenMissingError, toPublicError, type ErrorCode, type PublicError } from '@roomgate/shared/errors';
import { countThrottle, describeError, noMetrics, tokenFingerprint, systemClock, type Clock, type Logger, type Metrics } from '@roomgate/shared/runtime';
import { tokenKid, type TokenVerifier } from '@roomgate/shared/tokens';
import type { WebSocketConnectEvent, WebSocketResult } from '../events.ts';
import { readHandshake } from '../handshake.ts';
import { grantFields } from '../grant-fields.ts';
import type { Admission } from '../admission/admission.ts';

export interface ConnectDeps {
  verifier: TokenVerifier;
  store: Pick<ConnectionStore, 'put' | 'delete' | 'announce'>;
  /** Bans, revocations, single-use claims, the per-user cap (src/admission). */
  admission: Pick<Admission, 'admitConnection'>;
  /** Message history; undefined = history off (no join position is recorded). */
  history?: Pick<HistoryStore, 'lastPosition'> | undefined;
  logger: Logger;
  /** `ConnectAccepted`, `ConnectRefused` by code, `AccessRefused`, `Throttles`; default: none. */
  metrics?: Metrics;
  clock?: Clock;
}

/**
 * How `$connect` carries a client error: expired and invalid are both 401 but told apart by
 * `error.code` in the body and the `x-roomgate-error` header, so a client knows to fetch a fresh
 * token rather than give up. Outages are 503, internal faults 500 (`toPublicError`).
 */
const CLIENT_STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_VALIDATION: 400,
  ERR_TOKEN_MISSING: 401,
  ERR_TOKEN_EXPIRED: 401,
  ERR_TOKEN_NOT_YET_VALID: 401,
  ERR_TOKEN_INVALID: 401,
  ERR_ROOM_FORBIDDEN: 403,
  ERR_CAPABILITY_FORBIDDEN: 403,
  ERR_TOKEN_REVOKED: 401,
  ERR_TOKEN_REUSED: 401,
  ERR_USER_BANNED: 403,
  ERR_TOO_MANY_CONNECTIONS: 429,
  // A row already exists under this connection id: API Gateway never runs `$connect` twice for one
  // connection, so this is a replayed or forged event; the live row is left as it is.
  ERR_CONNECTION_EXISTS: 409,
};

/** Refusals that a ban or a revocation decided (docs/security.md), counted apart from bad tokens. */
const ACCESS_CODES: ReadonlySet<ErrorCode> = new Set(['ERR_USER_BANNED', 'ERR_TOKEN_REVOKED', 'ERR_TOKEN_REUSED']);

const statusOf = (error: PublicError): number => (error.class === 'client' ? (CLIENT_STATUS[error.code] ?? 400) : error.class === 'unavailable' ? 503 : 500);

/**
 * `$connect`: verify the token, record the connection, then admit it (bans, revocations,
 * single-use claim, per-user cap: src/admission; refused → the row is deleted again). Any failure returns a non-2xx, which
 * makes API Gateway refuse the handshake; the row is written only after every check passed, and
 * a failed write refuses the connection too (an untracked connection would never get messages).
 * The write never overwrites an existing row (409 ERR_CONNECTION_EXISTS, docs/security.md).
 */
export function makeConnectHandler(deps: ConnectDeps) {
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? noMetrics;

  // After the row is written, so a ban or revocation that lands after this read finds the row.
  const admit = async (grant: Awaited<ReturnType<TokenVerifier['verify']>>, connectionId: string): Promise<void> => {
    try {
      await deps.admission.admitConnection(grant, connectionId);
    } catch (error) {
      await deps.store
        .delete(connectionId, 'refused')
        .catch((cause: unknown) => deps.logger.warn('row delete after refusal failed (TTL removes it)', { connectionId, error: cause }));
      throw error;
    }
  };

  return async (event: WebSocketConnectEvent): Promise<WebSocketResult> => {
    const connectionId = event.requestContext.connectionId;
    let tokenFields: Record<string, unknown> = {};
    try {
      const handshake = readHandshake(event);
      if (handshake.token === undefined) throw new TokenMissingError();
      const fingerprint = tokenFingerprint(handshake.token);
      // The header's kid (public) on a refusal tells a key not yet published from a forgery (docs/operations.md, refused-connects).
      tokenFields = { token: fingerprint, kid: tokenKid(handshake.token) };
      const grant = await deps.verifier.verify(handshake.token);
      if (handshake.requestedRoom !== undefined && handshake.requestedRoom !== grant.roomId) throw new RoomForbiddenError();
      // Every connection receives its room's messages, so joining needs `subscribe`;
      // publish-only tokens are for server-side publishers, not sockets.
      if (!grant.capabilities.includes('subscribe')) throw new CapabilityForbiddenError('token does not grant subscribe');

      // Read before the row is written, because the row carries it (a read in parallel would need a
      // second write); `history` without `since` then replays what was published after it.
      const join = await joinPosition(deps.history, grant.roomId);
      const record = await deps.store.put(
        {
          ...join,
          connectionId,
          roomId: grant.roomId,
          ...(grant.userId !== undefined ? { userId: grant.userId } : {}),
          connectedAt: clock(),
          ...grantFields(grant),
        },
        // Members hear the join only once the connection is admitted (a refused one never joined).
        { announce: false },
      );
      await admit(grant, connectionId);
      await deps.store.announce(record);
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
        ...join,
      });
      metrics.count('ConnectAccepted');
      return handshake.subprotocol === undefined ? { statusCode: 200 } : { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': handshake.subprotocol } };
    } catch (error) {
      return refuse(error, { connectionId, ...tokenFields }, deps.logger, metrics);
    }
  };
}

function refuse(error: unknown, fields: Record<string, unknown>, logger: Logger, metrics: Metrics): WebSocketResult {
  const answer = toPublicError(error);
  const { code, message } = answer;
  const statusCode = statusOf(answer);
  metrics.count('ConnectRefused', { code });
  if (ACCESS_CODES.has(code)) metrics.count('AccessRefused', { code });
  // An AWS throttle behind the refusal (key loads count their own, countLoadFailure).
  countThrottle(metrics, error);
  // The log keeps the real error (ERR_KEY_NOT_FOUND, the SDK's message); the client gets `message`.
  const err = error instanceof Error ? describeError(error) : { message: String(error) };
  if (answer.class === 'client') logger.warn('connect refused', { ...fields, statusCode, code, reason: err.message });
  else logger.error('connect refused', { ...fields, statusCode, code, error: err });
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-roomgate-error': code },
    body: JSON.stringify({ error: { code, message } }),
  };
}
