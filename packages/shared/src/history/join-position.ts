import type { HistoryStore } from './history-store.ts';

/**
 * Where a connection joined its room's stream, as stored on its connection row: `joinSeq` is the
 * room's last seq at `$connect` (0 when the room had no history), `joinEpoch` its epoch (absent
 * then). A `history` request without `since` replays what was published after it, so a message
 * stored during the join reaches the member even when its fan-out missed the new row (the row
 * was not written yet, or not yet visible in the `byRoom` index). Anything at or before
 * `joinSeq` is "before the join": never delivered, live or replayed.
 */
export interface JoinPosition {
  joinSeq: number;
  joinEpoch?: string;
}

/**
 * The join position of a connection to `roomId` (one consistent Query of the history table), or
 * `{}` when history is off (undefined store: `$connect` does nothing extra). Throws
 * StoreUnavailableError; `$connect` then refuses with 503, as for a failed row write, because a
 * member without a join position could lose a message published during its join unnoticed.
 */
export async function joinPosition(history: Pick<HistoryStore, 'lastPosition'> | undefined, roomId: string): Promise<JoinPosition | Record<string, never>> {
  if (history === undefined) return {};
  const last = await history.lastPosition(roomId);
  return last === undefined ? { joinSeq: 0 } : { joinSeq: last.seq, joinEpoch: last.epoch };
}
