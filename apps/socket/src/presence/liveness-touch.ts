import { needsTouch, type ConnectionRecord, type ConnectionStore } from '@roomgate/shared/store';
import { describeError, type Clock, type Logger } from '@roomgate/shared/runtime';

/**
 * Marks a connection as alive on each of its frames (ping included), writing at most once per
 * TOUCH_INTERVAL_SECONDS (packages/shared/src/store/liveness.ts). A failed write is logged and
 * the frame handled anyway: the next frame retries, and a missed write only shortens the row's
 * deadline.
 */
export function makeLivenessTouch(deps: { store: Pick<ConnectionStore, 'touch'>; logger: Logger; clock: Clock }) {
  return async (record: ConnectionRecord): Promise<void> => {
    const now = deps.clock();
    if (!needsTouch(record, now)) return;
    try {
      await deps.store.touch(record, now);
    } catch (error) {
      deps.logger.warn('liveness not recorded', { connectionId: record.connectionId, error: error instanceof Error ? describeError(error) : String(error) });
    }
  };
}
