import type { CloseReason, ConnectionRecord, ConnectionStore } from '@roomgate/shared/store';
import type { RoomPresence } from '@roomgate/shared/presence';
import { CapabilityForbiddenError, RoomForbiddenError, TokenInvalidError, toPublicError } from '@roomgate/shared/errors';
import { type Broadcaster, createMessagePublisher, type MessagePublisher, type ManagementApi } from '@roomgate/shared/delivery';
import { FrameError } from '@roomgate/protocol/errors';
import { parseClientFrame } from '@roomgate/protocol/client-frame';
import { errorFrame, serializeFrame } from '@roomgate/protocol/server-frame';
import type { ClientFrame, ServerFrame } from '@roomgate/protocol/frames';
import type { HistoryStore } from '@roomgate/shared/history';
import { countThrottle, describeError, noMetrics, tokenFingerprint, systemClock, type Clock, type Logger, type Metrics } from '@roomgate/shared/runtime';
import { tokenKid, type TokenVerifier } from '@roomgate/shared/tokens';
import type { WebSocketMessageEvent, WebSocketResult } from '../events.ts';
import { readFrameText } from '../frame-text.ts';
import { grantFields } from '../grant-fields.ts';
import { makeHistoryAction } from './history.ts';
import type { Admission } from '../admission/admission.ts';
import type { PublishRateLimit } from '../admission/rate-limit.ts';
import { makeMembersAction } from '../presence/members-action.ts';
import { makeLivenessTouch } from '../presence/liveness-touch.ts';

export interface DefaultDeps {
  verifier: TokenVerifier;
  store: Pick<ConnectionStore, 'get' | 'delete' | 'updateExpiry' | 'touch' | 'markClosing'>;
  broadcaster: Broadcaster;
  /** Message history; undefined (the default) = history off: no seq, ERR_HISTORY_DISABLED. */
  history?: HistoryStore | undefined;
  /** The shared publish path; built from `broadcaster` and `history` when not given. */
  publisher?: MessagePublisher;
  management: Pick<ManagementApi, 'post' | 'close'>;
  /** Bans and revocations for `refresh` (src/admission). */
  admission: Pick<Admission, 'admitRefresh'>;
  /** Per-connection publish limit (src/admission/rate-limit.ts). */
  rateLimit: PublishRateLimit;
  /** Member lists for `members`; undefined answers it with ERR_CAPABILITY_FORBIDDEN. */
  presence?: Pick<RoomPresence, 'members'> | undefined;
  logger: Logger;
  /** Rate-limited publishes, ban/revocation closes, history reads, throttles (publishes: the publisher's own); default: none. */
  metrics?: Metrics;
  maxMessageBytes: number;
  clockToleranceSeconds?: number;
  clock?: Clock;
}

/**
 * `$default`: one client frame in, one reply frame out (returned as the route response, so the
 * `$default` route needs `routeResponseSelectionExpression: $default`). Every failure becomes an
 * error frame and the connection stays up — except the two cases below, which close it.
 *
 * Token lifetime on a live connection: the token gates the connection for as long as it lives.
 * Before `exp` passes the client sends `{"action":"refresh","token":…}` with a fresh token for the
 * same room (and user); that moves the row's `tokenExpiresAt`. A connection whose token expired
 * and that sends any other frame gets an `ERR_TOKEN_EXPIRED` error frame and is closed through
 * DeleteConnection (its row deleted). The check runs on each frame, so an idle expired
 * connection is closed lazily (at its next frame, at API Gateway's 2 h cap, or by TTL).
 * A frame from a connection with no row (never registered, or cleaned up) closes it as well.
 */
export function makeDefaultHandler(deps: DefaultDeps) {
  const clock = deps.clock ?? systemClock;
  const tolerance = deps.clockToleranceSeconds ?? 5;
  const { logger } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const publisher =
    deps.publisher ?? createMessagePublisher({ broadcaster: deps.broadcaster, history: deps.history, maxFrameBytes: deps.maxMessageBytes, clock });
  const history = makeHistoryAction({ history: deps.history, logger, metrics });
  const members = makeMembersAction(deps.presence);
  const touch = makeLivenessTouch({ store: deps.store, logger, clock });

  const reply = (frame: ServerFrame): WebSocketResult => ({ statusCode: 200, body: serializeFrame(frame) });

  const closeWith = async (connectionId: string, frame: ServerFrame, reason: CloseReason | 'unregistered'): Promise<WebSocketResult> => {
    // Posted (not returned) so it arrives before the close: a route response would be dropped.
    await deps.management.post(connectionId, serializeFrame(frame)).catch(() => undefined);
    // `$disconnect`, which this close triggers, may remove the row first: it then reports this reason.
    if (reason !== 'unregistered') {
      await deps.store
        .markClosing(connectionId, reason)
        .catch((error: unknown) => logger.warn('close reason not recorded', { connectionId, reason, error: asError(error) }));
    }
    try {
      await deps.management.close(connectionId);
    } catch (error) {
      logger.warn('close failed', { connectionId, reason, error: asError(error) });
    }
    // Unconditional, unlike fan-out's delete after a 410: API Gateway routes a frame only on an
    // established connection, so this connection's `$connect` has finished and the row is not
    // one it might still be writing (docs/architecture.md, "What a 410 proves").
    await deps.store
      .delete(connectionId, reason === 'unregistered' ? 'closed' : reason)
      .catch((error: unknown) => logger.warn('delete after close failed', { connectionId, error: asError(error) }));
    logger.info('connection closed', { connectionId, reason });
    return { statusCode: 200 };
  };

  const publish = async (record: ConnectionRecord, frame: Extract<ClientFrame, { action: 'publish' }>): Promise<WebSocketResult> => {
    if (!record.capabilities.includes('publish')) throw new CapabilityForbiddenError('token does not grant publish');
    // The rate-limit write runs while the publisher reads the room's first page (one round trip
    // fewer per publish); the publisher stores and posts nothing before it succeeds.
    const admitted = deps.rateLimit.take(record);
    admitted.catch(() => undefined); // the publisher's answer carries the rejection
    // The sender is a room member and receives its own message too: one rendering path for clients.
    // The publisher holds the frame to the rules every producer shares (depth, size after the envelope).
    const { bytes, ...result } = await publisher.publish({ roomId: record.roomId, from: record.userId, data: frame.data, frameId: frame.id, admitted });
    logger.info('published', { connectionId: record.connectionId, roomId: record.roomId, bytes, ...result });
    return reply({ type: 'ack', action: 'publish', ...result, ...withId(frame.id) });
  };

  const refresh = async (record: ConnectionRecord, frame: Extract<ClientFrame, { action: 'refresh' }>): Promise<WebSocketResult> => {
    const grant = await deps.verifier.verify(frame.token);
    if (grant.roomId !== record.roomId) throw new RoomForbiddenError('token is for another room');
    if (grant.userId !== record.userId) throw new TokenInvalidError('token is for another user');
    if (!grant.capabilities.includes('subscribe')) throw new CapabilityForbiddenError('token does not grant subscribe');
    try {
      await deps.admission.admitRefresh(grant);
    } catch (error) {
      // Banned or revoked: the connection has nothing left to stay open with.
      const { code, message } = toPublicError(error);
      if (code === 'ERR_USER_BANNED' || code === 'ERR_TOKEN_REVOKED') {
        metrics.count('AccessRefused', { code });
        return closeWith(record.connectionId, errorFrame(code, message, frame.id), code === 'ERR_USER_BANNED' ? 'banned' : 'revoked');
      }
      throw error;
    }
    await deps.store.updateExpiry(record.connectionId, grantFields(grant));
    logger.info('token refreshed', { connectionId: record.connectionId, token: tokenFingerprint(frame.token), tokenExpiresAt: grant.expiresAt });
    return reply({ type: 'refreshed', tokenExpiresAt: grant.expiresAt, ...withId(frame.id) });
  };

  return async (event: WebSocketMessageEvent): Promise<WebSocketResult> => {
    const connectionId = event.requestContext.connectionId;
    let frameId: ClientFrame['id'];
    // A refused refresh's line names its token like `connect refused` does: fingerprint and kid.
    let tokenFields: Record<string, unknown> = {};
    let record: ConnectionRecord | undefined;
    try {
      record = await deps.store.get(connectionId);
      if (record === undefined) {
        return await closeWith(connectionId, errorFrame('ERR_UNAUTHENTICATED', 'connection is not registered; reconnect'), 'unregistered');
      }
      await touch(record);
      const expired = clock() > record.tokenExpiresAt + tolerance;
      let frame: ClientFrame;
      try {
        frame = parseClientFrame(readFrameText(event), { maxBytes: deps.maxMessageBytes });
      } catch (error) {
        if (expired) return await closeExpired(connectionId);
        throw error;
      }
      frameId = frame.id;
      if (frame.action === 'refresh') {
        tokenFields = { token: tokenFingerprint(frame.token), kid: tokenKid(frame.token) };
        return await refresh(record, frame);
      }
      if (expired) return await closeExpired(connectionId);
      if (frame.action === 'ping') return reply({ type: 'pong', ...withId(frame.id) });
      if (frame.action === 'history') return { statusCode: 200, body: await history(record, frame) };
      if (frame.action === 'members') return reply(await members(record, frame));
      return await publish(record, frame);
    } catch (error) {
      const expired = record !== undefined && clock() > record.tokenExpiresAt + tolerance;
      // A failed refresh of an already expired connection leaves nothing to keep it open with.
      if (expired) return await closeExpired(connectionId);
      return reply(toErrorFrame(error, connectionId, frameId, tokenFields));
    }
  };

  function closeExpired(connectionId: string): Promise<WebSocketResult> {
    const frame = errorFrame('ERR_TOKEN_EXPIRED', 'token expired; reconnect with a fresh token (or refresh before exp)');
    return closeWith(connectionId, frame, 'expired');
  }

  function toErrorFrame(error: unknown, connectionId: string, frameId: ClientFrame['id'], fields: Record<string, unknown> = {}): ServerFrame {
    const id = error instanceof FrameError ? (error.frameId ?? frameId) : frameId;
    const { code, message, class: kind } = toPublicError(error);
    if (code === 'ERR_RATE_LIMITED') metrics.count('PublishRateLimited');
    countThrottle(metrics, error);
    // The connection stays open whatever failed; the log keeps the real error, the frame `message`.
    if (kind === 'client') logger.warn('frame refused', { connectionId, ...fields, code, reason: message });
    else logger.error('frame failed', { connectionId, ...fields, error: asError(error) });
    return errorFrame(code, message, id);
  }
}

const withId = (id: ClientFrame['id']) => (id === undefined ? {} : { id });
const asError = (value: unknown) => (value instanceof Error ? describeError(value) : { message: String(value) });
