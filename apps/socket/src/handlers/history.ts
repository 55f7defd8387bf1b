import type { ConnectionRecord } from '@roomgate/shared/store';
import { CapabilityForbiddenError, RoomForbiddenError, HistoryDisabledError } from '@roomgate/shared/errors';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_FRAME_BYTES,
  serializeHistoryReply,
  type HistoryRequestFrame,
} from '@roomgate/protocol/history';
import type { HistoryStore } from '@roomgate/shared/history';
import type { Logger } from '@roomgate/shared/runtime';

export interface HistoryActionDeps {
  /** Undefined when the stage runs with history off. */
  history: HistoryStore | undefined;
  logger: Logger;
}

/**
 * The `history` action of `$default`: what the connection's room published after the client's
 * position, as the serialized reply frame (the route response). Throws HistoryDisabledError,
 * CapabilityForbiddenError (no `subscribe`), RoomForbiddenError (another room than the
 * connection's), StoreUnavailableError.
 */
export function makeHistoryAction(deps: HistoryActionDeps) {
  return async (record: ConnectionRecord, frame: HistoryRequestFrame): Promise<string> => {
    if (deps.history === undefined) throw new HistoryDisabledError();
    if (!record.capabilities.includes('subscribe')) throw new CapabilityForbiddenError('token does not grant subscribe');
    if (frame.roomId !== undefined && frame.roomId !== record.roomId) throw new RoomForbiddenError('history is only served for the connection’s room');
    const page = await deps.history.read(record.roomId, {
      since: frame.since,
      epoch: frame.epoch,
      limit: frame.limit ?? HISTORY_DEFAULT_LIMIT,
      // The reply must stay within API Gateway's frame cap; publish keeps every frame below it.
      maxBytes: HISTORY_MAX_FRAME_BYTES,
    });
    deps.logger.info('history served', {
      connectionId: record.connectionId,
      roomId: record.roomId,
      since: frame.since,
      messages: page.messages.length,
      recovered: page.recovered,
      more: page.more,
    });
    return serializeHistoryReply(
      {
        type: 'history',
        roomId: record.roomId,
        epoch: page.epoch,
        lastSeq: page.lastSeq,
        more: page.more,
        recovered: page.recovered,
        ...(page.missed === undefined ? {} : { missed: page.missed }),
        ...(frame.id === undefined ? {} : { id: frame.id }),
      },
      page.messages.map((m) => m.frame),
    );
  };
}
