import type { HistoryReplyFrame, MessageFrame as AnyMessageFrame } from '@roomgate/protocol';

type MessageFrame = AnyMessageFrame & { seq: number; epoch: string };

/**
 * One room's history as the socket service keeps it (history-spec.md): gap-free `seq` per epoch,
 * items that expire oldest first, and the `history` reply rules (`since`, `epoch`, `limit`,
 * `more`, `recovered`, `missed`). Shared by the sequencer's unit tests and the loopback server.
 */
export function createFakeHistory(roomId: string, { limit = 100 } = {}) {
  let epoch: string | null = null;
  let epochs = 0;
  let stored: MessageFrame[] = [];
  let firstRetained = 1;

  const lastSeq = () => stored.at(-1)?.seq ?? 0;

  return {
    get epoch() {
      return epoch;
    },
    lastSeq,
    /** Stores the next message and returns its frame (what fan-out would send). */
    publish(data: unknown = null, from?: string): MessageFrame {
      if (epoch === null) epoch = `E${++epochs}`;
      const seq = lastSeq() + 1;
      const frame: MessageFrame = { type: 'message', roomId, ...(from === undefined ? {} : { from }), data: data ?? `m${seq}`, sentAt: 1_800_000_000, seq, epoch };
      stored.push(frame);
      return frame;
    },
    publishMany(count: number): MessageFrame[] {
      return Array.from({ length: count }, () => this.publish());
    },
    frame(seq: number): MessageFrame {
      const found = stored.find((m) => m.seq === seq);
      if (!found) throw new Error(`seq ${seq} was not published`);
      return found;
    },
    /** TTL took every item up to `seq`. */
    expireThrough(seq: number) {
      firstRetained = seq + 1;
    },
    /** Every item expired: the next publish starts a new epoch. */
    reset() {
      epoch = null;
      stored = [];
      firstRetained = 1;
    },
    reply(query: { epoch?: string; since?: number; limit?: number; id?: number }): HistoryReplyFrame {
      const retained = stored.filter((m) => m.seq >= firstRetained);
      const base = { type: 'history' as const, roomId, epoch, lastSeq: epoch === null ? 0 : lastSeq(), ...(query.id === undefined ? {} : { id: query.id }) };
      if (query.since === undefined) return { ...base, messages: [], more: false, recovered: true };
      const max = Math.min(query.limit ?? limit, limit);
      const page = (from: MessageFrame[]) => ({ messages: from.slice(0, max), more: from.length > max });
      if (query.epoch !== undefined && query.epoch !== epoch) return { ...base, ...page(retained), recovered: false };
      const since = query.since;
      const after = retained.filter((m) => m.seq > since);
      const oldest = retained[0]?.seq ?? lastSeq() + 1;
      if (since < lastSeq() && oldest > since + 1) {
        return { ...base, ...page(after), recovered: false, missed: { from: since + 1, to: oldest - 1 } };
      }
      return { ...base, ...page(after), recovered: true };
    },
  };
}

export type FakeHistory = ReturnType<typeof createFakeHistory>;
