import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecoveryEvent, RoomMessage } from '../../src/index.ts';
import { createFakeHistory, type Joined } from '../helpers/fake-history.ts';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { flush, openClient, setupClient } from '../helpers/harness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

/** A client for room `r` whose socket answers `history` from a fake history when told to. */
function setup(overrides: Parameters<typeof setupClient>[0] = {}) {
  const history = createFakeHistory('r');
  const harness = setupClient({ roomId: 'r', pingIntervalMs: 60 * 60_000, ...overrides });
  const messages: RoomMessage[] = [];
  const recoveries: RecoveryEvent[] = [];
  harness.client.on('message', (m) => messages.push(m));
  harness.client.on('recovery', (e) => recoveries.push(e));
  // Each socket joins the room as it opens, as `$connect` records it.
  const joins = new WeakMap<FakeWebSocket, Joined>();
  FakeWebSocket.onOpen = (socket) => joins.set(socket, history.join());
  /** Answers the socket's last `history` request from the history. */
  const answer = (socket = FakeWebSocket.last) => {
    const request = socket.sentOf('history').at(-1)!;
    socket.receive(history.reply(request as never, joins.get(socket)));
  };
  const live = (...seqs: number[]) => {
    for (const seq of seqs) FakeWebSocket.last.receive(history.frame(seq));
  };
  return { ...harness, history, messages, recoveries, answer, live, seqs: () => messages.map((m) => m.seq) };
}

describe('recovery through the client', () => {
  it('asks the position on the first open and holds live messages until the reply is handled', async () => {
    const t = setup();
    t.history.publishMany(2);
    const socket = await openClient(t.client);
    expect(socket.sentOf('history')).toEqual([{ action: 'history', roomId: 'r', id: 1 }]);
    t.history.publishMany(1);
    t.live(3);
    expect(t.messages).toEqual([]);
    t.answer();
    await flush();
    expect(t.messages).toEqual([{ roomId: 'r', data: 'm3', sentAt: 1_800_000_000, seq: 3, epoch: 'E1' }]);
    expect(t.recoveries).toEqual([]);
    t.client.close();
  });

  it('recovers what was published while the connection was down, once and in order', async () => {
    const t = setup({ backoff: { initialMs: 100, jitter: 0 } });
    const first = await openClient(t.client);
    t.answer();
    await flush();
    t.history.publishMany(2);
    t.live(1, 2);
    first.drop();
    t.history.publishMany(3); // 3..5 while away
    await vi.advanceTimersByTimeAsync(100);
    const second = FakeWebSocket.last;
    expect(second).not.toBe(first);
    second.open();
    expect(second.sentOf('history')).toEqual([{ action: 'history', roomId: 'r', epoch: 'E1', since: 2, id: expect.any(Number) }]);
    t.history.publishMany(1);
    t.live(6, 4); // live ones during the replay: held, then deduplicated
    t.answer();
    await flush();
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.recoveries).toEqual([{ roomId: 'r', recovered: true, replayed: 4, reconnect: true }]); // 3..6: 6 was stored before the reply
    t.client.close();
  });

  it('recovers across a planned reconnect too', async () => {
    const t = setup({ maxConnectionAgeMs: 1_000 });
    await openClient(t.client);
    t.answer();
    await flush();
    t.history.publishMany(1);
    t.live(1);
    await vi.advanceTimersByTimeAsync(1_000);
    t.history.publishMany(1);
    FakeWebSocket.last.open();
    t.answer();
    await flush();
    expect(t.seqs()).toEqual([1, 2]);
    expect(t.recoveries).toEqual([{ roomId: 'r', recovered: true, replayed: 1, reconnect: true }]);
    t.client.close();
  });

  it('tells the application when history no longer reaches back', async () => {
    const t = setup({ backoff: { initialMs: 100, jitter: 0 } });
    await openClient(t.client);
    t.answer();
    await flush();
    t.history.publishMany(1);
    t.live(1);
    FakeWebSocket.last.drop();
    t.history.publishMany(4);
    t.history.expireThrough(3);
    await vi.advanceTimersByTimeAsync(100);
    FakeWebSocket.last.open();
    t.answer();
    await flush();
    expect(t.seqs()).toEqual([1, 4, 5]);
    expect(t.recoveries).toEqual([{ roomId: 'r', recovered: false, missed: { from: 2, to: 3 }, replayed: 2, reconnect: true }]);
    t.client.close();
  });

  it('retries on the next open when the connection drops during recovery', async () => {
    const t = setup({ backoff: { initialMs: 100, jitter: 0 } });
    await openClient(t.client);
    t.answer();
    await flush();
    t.history.publishMany(3);
    t.live(1);
    FakeWebSocket.last.drop();
    await vi.advanceTimersByTimeAsync(100);
    FakeWebSocket.last.open();
    t.live(3); // held: the recovery has not answered
    FakeWebSocket.last.drop(); // the history request dies with the connection
    await vi.advanceTimersByTimeAsync(100);
    expect(t.seqs()).toEqual([1]);
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.sentOf('history').at(-1)).toMatchObject({ since: 1, epoch: 'E1' });
    t.answer();
    await flush();
    expect(t.seqs()).toEqual([1, 2, 3]);
    t.client.close();
  });

  it('publish resolves with the seq and epoch the message got', async () => {
    const t = setup();
    const socket = await openClient(t.client);
    const publishing = t.client.publish('x');
    socket.reply('publish', { type: 'ack', action: 'publish', seq: 42, epoch: 'E1', delivered: 2, failed: 0, stale: 0 });
    await expect(publishing).resolves.toEqual({ seq: 42, epoch: 'E1', delivered: 2, failed: 0, stale: 0 });
    t.client.close();
  });

  it('a stage without history (ERR_HISTORY_DISABLED) turns recovery off without an error event', async () => {
    const t = setup({ backoff: { initialMs: 100, jitter: 0 } });
    const socket = await openClient(t.client);
    socket.reply('history', { type: 'error', code: 'ERR_HISTORY_DISABLED', message: 'this stage keeps no history' });
    await flush();
    socket.receive({ type: 'message', roomId: 'r', data: 'plain', sentAt: 1 });
    expect(t.messages.map((m) => m.data)).toEqual(['plain']);
    expect(t.errors).toEqual([]);
    socket.drop();
    await vi.advanceTimersByTimeAsync(100);
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.sentOf('history')).toEqual([]);
    t.client.close();
  });

  it('recovery: false sends no history request and delivers frames as they come', async () => {
    const t = setup({ recovery: false });
    const socket = await openClient(t.client);
    t.history.publishMany(3);
    t.live(3, 1);
    expect(socket.sentOf('history')).toEqual([]);
    expect(t.seqs()).toEqual([3, 1]);
    t.client.close();
  });

  it('a malformed history reply is retried, not trusted', async () => {
    const t = setup({ gapWaitMs: 200 });
    const socket = await openClient(t.client);
    socket.reply('history', { type: 'history', roomId: 'r', messages: 'nope' });
    await flush();
    expect(t.errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(socket.sentOf('history')).toHaveLength(2);
    t.client.close();
  });
});
