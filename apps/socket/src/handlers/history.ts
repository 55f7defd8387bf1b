import type { ConnectionRecord } from '@roomgate/shared/connection-store';
import { CapabilityForbiddenError, RoomForbiddenError } from '@roomgate/shared/errors';
import { API_GATEWAY_MAX_MESSAGE_BYTES } from '@roomgate/shared/frames';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_REPLY_RESERVE_BYTES,
  HistoryDisabledError,
  serializeHistoryReply,
  type HistoryClientFrame,
} from '@roomgate/shared/history/history-frames';
import type { HistoryStore } from '@roomgate/shared/history/history-store';
import type { Logger } from '@roomgate/shared/types';

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
  return async (record: ConnectionRecord, frame: HistoryClientFrame): Promise<string> => {
    if (deps.history === undefined) throw new HistoryDisabledError();
    if (!record.capabilities.includes('subscribe')) throw new CapabilityForbiddenError('token does not grant subscribe');
    if (frame.roomId !== undefined && frame.roomId !== record.roomId) throw new RoomForbiddenError('history is only served for the connection’s room');
    const page = await deps.history.read(record.roomId, {
      since: frame.since,
      epoch: frame.epoch,
      limit: frame.limit ?? HISTORY_DEFAULT_LIMIT,
      // The reply must stay within API Gateway's frame cap; publish keeps every frame below it.
      maxBytes: API_GATEWAY_MAX_MESSAGE_BYTES - HISTORY_REPLY_RESERVE_BYTES,
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
