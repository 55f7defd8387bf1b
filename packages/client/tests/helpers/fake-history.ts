import type { HistoryReplyFrame, HistorySkipFrame, MessageFrame as AnyMessageFrame } from '@roomgate/protocol';

type MessageFrame = AnyMessageFrame & { seq: number; epoch: string };

/** Where a connection joined the room (what `$connect` records on its row). */
export interface Joined {
  epoch: string | null;
  seq: number;
}

/**
 * One room's history as the socket service keeps it (history-spec.md): gap-free `seq` per epoch,
 * items that expire oldest first, and the `history` reply rules (`since`, `epoch`, `limit`,
 * `more`, `recovered`, `missed`; without `since`, the replay since the connection's join; skip
 * entries for messages excluded from this member). Shared by the sequencer's unit tests and the
 * loopback server.
 */
export function createFakeHistory(roomId: string, { limit = 100 } = {}) {
  let epoch: string | null = null;
  let epochs = 0;
  let stored: MessageFrame[] = [];
  let firstRetained = 1;
  /** Seqs published with this member excluded (`excludeUserId`): its replies carry skip entries for them. */
  const excluded = new Set<number>();

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
      const frame: MessageFrame = {
        type: 'message',
        roomId,
        ...(from === undefined ? {} : { from }),
        data: data ?? `m${seq}`,
        sentAt: 1_800_000_000,
        seq,
        epoch,
      };
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
    /** The publish of `seq` excluded this member: live it never arrives, history skips it. */
    excludeFromMe(seq: number) {
      excluded.add(seq);
    },
    /** A connection opening now: `$connect` records the room's last position. */
    join(): Joined {
      return { epoch, seq: lastSeq() };
    },
    /** TTL took every item up to `seq`. */
    expireThrough(seq: number) {
      firstRetained = seq + 1;
    },
    /** Every item expired: the next publish starts a new epoch. */
    reset() {
      epoch = null;
      stored = [];
      excluded.clear();
      firstRetained = 1;
    },
    /**
     * The reply to a `history` request of a connection that joined at `joined`. Without `since`
     * it replays from the join; without `joined` (a server from before join positions) it
     * answers the position only.
     */
    reply(request: { epoch?: string; since?: number; limit?: number; id?: number }, joined?: Joined): HistoryReplyFrame {
      const query =
        request.since === undefined && joined !== undefined
          ? { ...request, since: joined.seq, ...(joined.epoch === null ? {} : { epoch: joined.epoch }) }
          : request;
      const retained = stored.filter((m) => m.seq >= firstRetained);
      const base = { type: 'history' as const, roomId, epoch, lastSeq: epoch === null ? 0 : lastSeq(), ...(query.id === undefined ? {} : { id: query.id }) };
      if (query.since === undefined) return { ...base, messages: [], more: false, recovered: true };
      const max = Math.min(query.limit ?? limit, limit);
      const entry = (m: MessageFrame): MessageFrame | HistorySkipFrame => (excluded.has(m.seq) ? { type: 'skip', roomId, seq: m.seq, epoch: m.epoch } : m);
      const page = (from: MessageFrame[]) => ({ messages: from.slice(0, max).map(entry), more: from.length > max });
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
