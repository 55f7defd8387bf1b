import type { ConnectionStore } from '@roomgate/shared/store';
import { describeError, type Logger } from '@roomgate/shared/runtime';
import type { WebSocketMessageEvent, WebSocketResult } from '../events.ts';

export interface DisconnectDeps {
  store: Pick<ConnectionStore, 'deleteDisconnected'>;
  logger: Logger;
}

/**
 * `$disconnect`: idempotent delete. API Gateway ignores the result and delivers this event only
 * best-effort; a missed delete is caught by the next fan-out (410) or the TTL backstop.
 *
 * Only the row of the connection the event describes is deleted: the event's
 * `requestContext.connectedAt` (when API Gateway began the handshake, epoch ms) must match the
 * row's `connectedAt` within the handshake window. A forged event (the function's permission is
 * scoped to this API, so only a principal of this account could send one) must know when the
 * connection was opened; an event without `connectedAt` deletes nothing. A kept row is harmless:
 * fan-out removes it after a 410, the TTL at the latest.
 */
export function makeDisconnectHandler(deps: DisconnectDeps) {
  return async (event: WebSocketMessageEvent): Promise<WebSocketResult> => {
    const connectionId = event.requestContext.connectionId;
    const connectedAtMs = event.requestContext.connectedAt;
    if (typeof connectedAtMs !== 'number' || !Number.isSafeInteger(connectedAtMs) || connectedAtMs <= 0) {
      deps.logger.warn('disconnect without requestContext.connectedAt: row kept', { connectionId });
      return { statusCode: 200 };
    }
    try {
      const outcome = await deps.store.deleteDisconnected(connectionId, Math.floor(connectedAtMs / 1000));
      if (outcome === 'kept') {
        deps.logger.warn('disconnect does not match the row (connectedAt): row kept', { connectionId, connectedAt: connectedAtMs });
      } else {
        deps.logger.info('disconnected', { connectionId, existed: outcome === 'deleted' });
      }
      return { statusCode: 200 };
    } catch (error) {
      deps.logger.error('disconnect cleanup failed', { connectionId, error: error instanceof Error ? describeError(error) : String(error) });
      return { statusCode: 500 };
    }
  };
}
