import type { ConnectionRecord } from '@roomgate/shared/store';
import { CapabilityForbiddenError, RoomForbiddenError, HistoryDisabledError } from '@roomgate/shared/errors';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_FRAME_BYTES,
  serializeHistoryReply,
  type HistoryRequestFrame,
  type HistorySkipFrame,
} from '@roomgate/protocol/history';
import { isExcludedFor, type HistoryStore, type StoredMessage } from '@roomgate/shared/history';
import { noMetrics, type Logger, type Metrics } from '@roomgate/shared/runtime';

export interface HistoryActionDeps {
  /** Undefined when the stage runs with history off. */
  history: HistoryStore | undefined;
  logger: Logger;
  /** `HistoryReads` by whether the position could be recovered; default: none. */
  metrics?: Metrics;
}

/**
 * The `history` action of `$default`: what the connection's room published after the client's
 * position, as the serialized reply frame (the route response). Without `since` the position is
 * where the connection joined (`joinSeq`/`joinEpoch` on its row, written by `$connect`): the reply
 * replays what was published since, so a message stored during the join is not lost to a client
 * that learns its position from `lastSeq`. A message the publish withheld from this member
 * (`excludeUserId`/`excludeConnectionId`) is replaced by a skip entry: the seq is accounted for
 * but the message is not handed out. Throws HistoryDisabledError,
 * CapabilityForbiddenError (no `subscribe`), RoomForbiddenError (another room than the
 * connection's), StoreUnavailableError.
 */
export function makeHistoryAction(deps: HistoryActionDeps) {
  const metrics = deps.metrics ?? noMetrics;
  return async (record: ConnectionRecord, frame: HistoryRequestFrame): Promise<string> => {
    if (deps.history === undefined) throw new HistoryDisabledError();
    if (!record.capabilities.includes('subscribe')) throw new CapabilityForbiddenError('token does not grant subscribe');
    if (frame.roomId !== undefined && frame.roomId !== record.roomId) throw new RoomForbiddenError('history is only served for the connection’s room');
    // Rows written before join positions existed (or with history off at `$connect`) keep the old answer: position only.
    const fromJoin = frame.since === undefined && record.joinSeq !== undefined;
    const page = await deps.history.read(record.roomId, {
      since: fromJoin ? record.joinSeq : frame.since,
      epoch: fromJoin ? record.joinEpoch : frame.epoch,
      limit: frame.limit ?? HISTORY_DEFAULT_LIMIT,
      // The reply must stay within API Gateway's frame cap; publish keeps every frame below it.
      maxBytes: HISTORY_MAX_FRAME_BYTES,
    });
    metrics.count('HistoryReads', { recovered: page.recovered ? 'true' : 'false' });
    deps.logger.info('history served', {
      connectionId: record.connectionId,
      roomId: record.roomId,
      since: fromJoin ? record.joinSeq : frame.since,
      fromJoin,
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
      page.messages.map((m) => (isExcludedFor(m, record) ? skipEntry(record.roomId, m) : m.frame)),
    );
  };
}

/** What a member gets in place of a message that was not fanned out to it. */
function skipEntry(roomId: string, message: StoredMessage): string {
  const skip: HistorySkipFrame = { type: 'skip', roomId, seq: message.seq, epoch: message.epoch };
  return JSON.stringify(skip);
}
