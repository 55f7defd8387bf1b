import type { ConnectionStore } from '@roomgate/shared/connection-store';
import { describeError } from '@roomgate/shared/logger';
import type { Logger } from '@roomgate/shared/types';
import type { WebSocketMessageEvent, WebSocketResult } from '../events.ts';

export interface DisconnectDeps {
  store: Pick<ConnectionStore, 'delete'>;
  logger: Logger;
}

/**
 * `$disconnect`: idempotent delete. API Gateway ignores the result and delivers this event only
 * best-effort; a missed delete is caught by the next fan-out (410) or the TTL backstop.
 */
export function makeDisconnectHandler(deps: DisconnectDeps) {
  return async (event: WebSocketMessageEvent): Promise<WebSocketResult> => {
    const connectionId = event.requestContext.connectionId;
    try {
      const existed = await deps.store.delete(connectionId);
      deps.logger.info('disconnected', { connectionId, existed });
      return { statusCode: 200 };
    } catch (error) {
      deps.logger.error('disconnect cleanup failed', { connectionId, error: error instanceof Error ? describeError(error) : String(error) });
      return { statusCode: 500 };
    }
  };
}
