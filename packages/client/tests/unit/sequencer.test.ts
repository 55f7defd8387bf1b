import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomClientError, type RecoveryEvent, type RoomMessage } from '../../src/index.ts';
import type { HistoryReplyFrame, MessageFrame } from '@roomgate/protocol';
import { toRoomMessage } from '../../src/room-stream.ts';
import { createSequencer, type HistoryQuery } from '../../src/sequencer.ts';
import { systemTimers } from '../../src/timer-set.ts';
import { createFakeHistory, type Joined } from '../helpers/fake-history.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

const GAP_WAIT_MS = 500;

/**
 * A sequencer for room `r` over a fake history. With `manual`, history requests wait until the
 * test answers them (`answer()` replies from the history, `fail()` rejects); otherwise the
 * history answers at once.
 */
function setup({ manual = false, maxHeld = 1_000, limit = 100, named = true } = {}) {
  const history = createFakeHistory('r', { limit });
  const delivered: RoomMessage[] = [];
  const events: RecoveryEvent[] = [];
  const queries: HistoryQuery[] = [];
  const waiting: Array<{ query: HistoryQuery; resolve: (reply: HistoryReplyFrame) => void; reject: (error: unknown) => void }> = [];
  const sequencer = createSequencer({
    ...(named ? { roomId: 'r' } : {}),
    fetchHistory: (query) => {
      queries.push(query);
      if (!manual) return Promise.resolve(history.reply(query, joined));
      return new Promise((resolve, reject) => waiting.push({ query, resolve, reject }));
    },
    deliver: (message) => delivered.push(message),
    onRecovery: (event) => events.push(event),
    timers: systemTimers,
    gapWaitMs: GAP_WAIT_MS,
    maxHeld,
  });
  // Each open is a new connection: it joins the room where the history stands now (`$connect`).
  let joined: Joined | undefined;
  const open = sequencer.open;
  sequencer.open = () => {
    joined = history.join();
    open();
  };
  const settle = () => vi.advanceTimersByTimeAsync(0);
  return {
    history,
    sequencer,
    delivered,
    events,
    queries,
    seqs: () => delivered.map((m) => m.seq),
    /** Delivers the frames of these seqs as live messages, in this order. */
    live: (...seqs: number[]) => {
      for (const seq of seqs) sequencer.receive(toRoomMessage(history.frame(seq)));
    },
    liveFrame: (frame: MessageFrame) => sequencer.receive(toRoomMessage(frame)),
    async answer() {
      const next = waiting.shift();
      if (!next) throw new Error('no history request is waiting');
      next.resolve(history.reply(next.query, joined));
      await settle();
    },
    async fail(code: string) {
      const next = waiting.shift();
      if (!next) throw new Error('no history request is waiting');
      next.reject(new RoomClientError(code as never, code));
      await settle();
    },
    waiting,
    settle,
  };
}

describe('live ordering once the position is known', () => {
  // `stored` messages are in the room's history (nothing is fanned out before it is stored);
  // `live` is what reaches the socket, in that order; 'wait' lets the gap timer run out.
  it.each([
    { name: 'in order', stored: 3, live: [1, 2, 3], delivered: [1, 2, 3], fills: 0 },
    { name: 'duplicates are dropped', stored: 3, live: [1, 1, 2, 1, 3, 2, 3], delivered: [1, 2, 3], fills: 0 },
    { name: 'reordered within the wait', stored: 4, live: [2, 1, 4, 3], delivered: [1, 2, 3, 4], fills: 0 },
    { name: 'a gap is filled from history', stored: 3, live: [1, 3, 'wait'], delivered: [1, 2, 3], fills: 1 },
    { name: 'a long gap is filled', stored: 9, live: [1, 9, 'wait'], delivered: [1, 2, 3, 4, 5, 6, 7, 8, 9], fills: 1 },
    { name: 'the missing one arriving late is a duplicate', stored: 3, live: [1, 3, 'wait', 2], delivered: [1, 2, 3], fills: 1 },
    { name: 'a gap before the first live message', stored: 3, live: [3, 'wait'], delivered: [1, 2, 3], fills: 1 },
  ] as const)('$name', async ({ stored, live, delivered, fills }) => {
    const t = setup();
    t.sequencer.open();
    await t.settle(); // the room is empty: position {epoch: null, seq: 0}
    t.history.publishMany(stored);
    for (const step of live) {
      if (step === 'wait') await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
      else t.live(step);
    }
    await t.settle();
    expect(t.seqs()).toEqual(delivered);
    expect(t.queries.length - 1).toBe(fills);
    expect(t.events).toEqual([]);
  });

  it('holds a message ahead of a gap for gapWaitMs before asking history', async () => {
    const t = setup();
    t.sequencer.open();
    await t.settle();
    t.history.publishMany(3);
    t.live(1, 3);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS - 1);
    expect(t.queries).toHaveLength(1);
    expect(t.seqs()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.queries.at(-1)).toEqual({ roomId: 'r', epoch: 'E1', since: 1 });
    expect(t.seqs()).toEqual([1, 2, 3]);
  });

  it('skips what history no longer has and says so', async () => {
    const t = setup();
    t.sequencer.open();
    await t.settle();
    t.history.publishMany(6);
    t.live(1);
    t.history.expireThrough(4);
    t.live(6);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(t.seqs()).toEqual([1, 5, 6]);
    expect(t.events).toEqual([{ roomId: 'r', recovered: false, missed: { from: 2, to: 4 }, replayed: 1, reconnect: false }]);
  });

  it('restarts at a new epoch seen live (the room had no item left) without a recovery event', async () => {
    const t = setup();
    t.sequencer.open();
    await t.settle();
    t.history.publishMany(2);
    t.live(1, 2);
    t.history.reset();
    t.history.publishMany(3);
    t.live(1, 3);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(t.delivered.map((m) => `${m.epoch}:${m.seq}`)).toEqual(['E1:1', 'E1:2', 'E2:1', 'E2:2', 'E2:3']);
    expect(t.events).toEqual([]);
  });

  it('asks history at once when the hold-back buffer is full, and loses nothing it dropped', async () => {
    const t = setup({ maxHeld: 3 });
    t.sequencer.open();
    await t.settle();
    t.history.publishMany(7);
    t.live(1, 3, 4, 5); // 2 is missing; the buffer is full
    expect(t.queries).toHaveLength(2);
    t.live(7, 6); // arrive while the fill runs: 7 does not fit, 6 does
    await t.settle();
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('passes messages without seq through as they come (history off on the stage)', async () => {
    const t = setup({ manual: true });
    t.sequencer.open();
    t.sequencer.receive({ roomId: 'r', data: 'plain', sentAt: 1 });
    expect(t.delivered.map((m) => m.data)).toEqual(['plain']);
  });
});

describe('first connect', () => {
  it('learns the position without replaying anything published before the join', async () => {
    const t = setup();
    t.history.publishMany(5);
    t.sequencer.open();
    await t.settle();
    expect(t.queries).toEqual([{ roomId: 'r' }]);
    expect(t.sequencer.positionOf('r')).toEqual({ epoch: 'E1', seq: 5 });
    t.history.publishMany(1);
    t.live(6);
    expect(t.seqs()).toEqual([6]);
    expect(t.events).toEqual([]);
  });

  // `before`: published before the join; `during`: after the join, before the history reply
  // (fanned out before the new row was listed, so not live unless in `buffered`); `after`: after the reply, live.
  it.each([
    { name: 'live messages from before the join are never delivered', before: 5, during: 0, buffered: [4, 5], after: 0, delivered: [] },
    {
      name: 'what was stored during the join is replayed, not lost (issue: delivered 8, one app missed it)',
      before: 3,
      during: 1,
      buffered: [],
      after: 2,
      delivered: [4, 5, 6],
    },
    { name: 'the replay comes first, a buffered live copy is a duplicate', before: 3, during: 3, buffered: [5], after: 0, delivered: [4, 5, 6] },
    { name: 'a room empty at the join is replayed from seq 1', before: 0, during: 2, buffered: [2], after: 1, delivered: [1, 2, 3] },
  ])('$name', async ({ before, during, buffered, after, delivered }) => {
    const t = setup({ manual: true });
    t.history.publishMany(before);
    t.sequencer.open();
    t.history.publishMany(during);
    t.live(...buffered); // reached the socket before the history reply
    expect(t.seqs()).toEqual([]);
    await t.answer();
    t.history.publishMany(after);
    t.live(...Array.from({ length: after }, (_, i) => before + during + i + 1));
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    while (t.waiting.length > 0) await t.answer();
    expect(t.seqs()).toEqual(delivered);
    expect(t.events).toEqual([]);
  });

  it('says so when what was published since the join is already gone', async () => {
    const t = setup({ manual: true });
    t.history.publishMany(2);
    t.sequencer.open();
    t.history.publishMany(3);
    t.history.expireThrough(3);
    await t.answer();
    expect(t.seqs()).toEqual([4, 5]);
    expect(t.events).toEqual([{ roomId: 'r', recovered: false, missed: { from: 3, to: 3 }, replayed: 2, reconnect: false }]);
  });

  it('without a roomId option, the reply names the room', async () => {
    const t = setup({ named: false });
    t.history.publishMany(2);
    t.sequencer.open();
    await t.settle();
    expect(t.queries).toEqual([{}]);
    expect(t.sequencer.positionOf('r')).toEqual({ epoch: 'E1', seq: 2 });
  });
});

describe('reconnect', () => {
  /** Connected, has received 1..3, then the connection dropped. */
  async function away(options: Parameters<typeof setup>[0] = {}) {
    const t = setup(options);
    t.sequencer.open();
    if (options.manual) await t.answer();
    else await t.settle();
    t.history.publishMany(3);
    t.live(1, 2, 3);
    t.sequencer.pause();
    return t;
  }

  it('replays what was missed, then live messages held meanwhile, each once and in order', async () => {
    const t = await away({ manual: true });
    t.history.publishMany(4); // 4..7 while away
    t.sequencer.open();
    expect(t.waiting[0]?.query).toEqual({ roomId: 'r', epoch: 'E1', since: 3 });
    t.history.publishMany(1);
    t.live(8, 6); // live during the recovery: held
    expect(t.seqs()).toEqual([1, 2, 3]);
    await t.answer();
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.events).toEqual([{ roomId: 'r', recovered: true, replayed: 5, reconnect: true }]);
  });

  it('reports a full recovery with nothing to replay', async () => {
    const t = await away();
    t.sequencer.open();
    await t.settle();
    expect(t.events).toEqual([{ roomId: 'r', recovered: true, replayed: 0, reconnect: true }]);
  });

  it('pages while the reply says more', async () => {
    const t = await away({ limit: 2 });
    t.history.publishMany(5); // 4..8
    t.sequencer.open();
    await t.settle();
    expect(t.queries.slice(1).map((q) => q.since)).toEqual([3, 5, 7]);
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.events).toEqual([{ roomId: 'r', recovered: true, replayed: 5, reconnect: true }]);
  });

  it('skips what expired while away and says what is gone', async () => {
    const t = await away();
    t.history.publishMany(4); // 4..7
    t.history.expireThrough(5);
    t.sequencer.open();
    await t.settle();
    expect(t.seqs()).toEqual([1, 2, 3, 6, 7]);
    expect(t.events).toEqual([{ roomId: 'r', recovered: false, missed: { from: 4, to: 5 }, replayed: 2, reconnect: true }]);
  });

  it('starts over at the new epoch when the room history was reset', async () => {
    const t = await away();
    t.history.reset();
    t.history.publishMany(2);
    t.sequencer.open();
    await t.settle();
    expect(t.delivered.map((m) => `${m.epoch}:${m.seq}`)).toEqual(['E1:1', 'E1:2', 'E1:3', 'E2:1', 'E2:2']);
    expect(t.events).toEqual([{ roomId: 'r', recovered: false, replayed: 2, reconnect: true }]);
  });

  it('ignores a reply that comes after the connection went, and recovers on the next open', async () => {
    const t = await away({ manual: true });
    t.history.publishMany(2);
    t.sequencer.open();
    t.sequencer.pause(); // dropped again before the reply
    await t.answer();
    expect(t.seqs()).toEqual([1, 2, 3]);
    t.sequencer.open();
    await t.answer();
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(t.events).toHaveLength(1);
  });
});

describe('history failures', () => {
  it('retries a failed gap fill after gapWaitMs', async () => {
    const t = setup({ manual: true });
    t.sequencer.open();
    await t.answer();
    t.history.publishMany(3);
    t.live(1, 3);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    await t.fail('ERR_REQUEST_TIMEOUT');
    expect(t.seqs()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    await t.answer();
    expect(t.seqs()).toEqual([1, 2, 3]);
    expect(t.events).toEqual([]);
  });

  it('gives up after three failures: delivers what it holds, in order, and reports the gap', async () => {
    const t = setup({ manual: true });
    t.sequencer.open();
    await t.answer();
    t.history.publishMany(4);
    t.live(1, 4, 3);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    for (let i = 0; i < 3; i += 1) {
      await t.fail('ERR_STORE_UNAVAILABLE');
      await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    }
    expect(t.waiting).toHaveLength(0);
    expect(t.seqs()).toEqual([1, 3, 4]);
    expect(t.events).toEqual([{ roomId: 'r', recovered: false, missed: { from: 2, to: 2 }, replayed: 0, reconnect: false }]);
  });

  it('a recovery that fails with the connection waits for the next open (nothing delivered out of order)', async () => {
    const t = setup({ manual: true });
    t.sequencer.open();
    await t.answer();
    t.history.publishMany(3);
    t.live(1);
    t.sequencer.pause();
    t.sequencer.open();
    t.live(3);
    await t.fail('ERR_CONNECTION_LOST');
    await vi.advanceTimersByTimeAsync(10 * GAP_WAIT_MS);
    expect(t.seqs()).toEqual([1]);
    t.sequencer.pause();
    t.sequencer.open();
    await t.answer();
    expect(t.seqs()).toEqual([1, 2, 3]);
  });

  it.each(['ERR_HISTORY_DISABLED', 'ERR_UNKNOWN_ACTION'])('%s turns recovery off quietly and releases what is held', async (code) => {
    const t = setup({ manual: true });
    t.history.publishMany(2);
    t.sequencer.open();
    t.live(2, 1);
    await t.fail(code);
    expect(t.seqs()).toEqual([1, 2]);
    expect(t.sequencer.enabled).toBe(false);
    t.live(2);
    t.sequencer.open();
    expect(t.waiting).toHaveLength(0);
    expect(t.seqs()).toEqual([1, 2, 2]); // passed through as it came
    expect(t.events).toEqual([]);
  });
});

describe('skip entries (a message the publish excluded this member from)', () => {
  it('a gap-fill advances over the skipped seq and delivers nothing for it', async () => {
    const t = setup();
    t.sequencer.open();
    await t.settle();
    t.history.publishMany(3);
    t.history.excludeFromMe(2);
    t.live(1, 3); // 2 was not fanned out to this member
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(t.seqs()).toEqual([1, 3]);
    expect(t.sequencer.positionOf('r')).toEqual({ epoch: 'E1', seq: 3 });
    t.history.publishMany(1);
    t.live(4);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(t.seqs()).toEqual([1, 3, 4]);
    expect(t.queries).toHaveLength(2); // the one fill; the skip left no gap behind
    expect(t.events).toEqual([]);
  });

  it('a reconnect replay skips it too and counts only what it delivered', async () => {
    const t = setup();
    t.sequencer.open();
    await t.settle();
    t.history.publishMany(2);
    t.live(1, 2);
    t.sequencer.pause();
    t.history.publishMany(3); // 3..5 while away, 4 excluded
    t.history.excludeFromMe(4);
    t.sequencer.open();
    await t.settle();
    expect(t.seqs()).toEqual([1, 2, 3, 5]);
    expect(t.events).toEqual([{ roomId: 'r', recovered: true, replayed: 2, reconnect: true }]);
  });

  it('a first-connect replay that starts with a skip takes its position from it', async () => {
    const t = setup({ manual: true });
    t.history.publishMany(1);
    t.sequencer.open();
    t.history.publishMany(2);
    t.history.excludeFromMe(2);
    await t.answer();
    expect(t.seqs()).toEqual([3]);
    expect(t.sequencer.positionOf('r')).toEqual({ epoch: 'E1', seq: 3 });
  });
});
