import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHistoryStore, type HistoryStore, type HistoryStoreOptions } from '../../../src/history/history-store.ts';
import { localHistoryTable, uniqueRoom, type LocalTable } from '../../helpers/local-table.ts';

const NOW = 1_800_000_000;
const TTL = 600;
let table: LocalTable;

beforeAll(async () => {
  table = await localHistoryTable();
});
afterAll(async () => table?.close());

/** One store = one Lambda container (its own position cache). */
const store = (options: Partial<HistoryStoreOptions> = {}): HistoryStore =>
  createHistoryStore({ client: table.client, tableName: table.tableName, ttlSeconds: TTL, maxMessages: 1000, clock: () => NOW, ...options });

/** A frame that embeds its position, as the publisher's does. */
const frame = (label: string) => (p: { epoch: string; seq: number }) => JSON.stringify({ type: 'message', seq: p.seq, epoch: p.epoch, data: label });

describe('history store against dynalite', () => {
  it('starts a room with a fresh epoch at seq 1, then counts on in the same epoch', async () => {
    const room = uniqueRoom();
    const history = store();
    const first = await history.append(room, frame('a'));
    const second = await history.append(room, frame('b'));
    expect(first.seq).toBe(1);
    expect(first.epoch).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(second).toMatchObject({ seq: 2, epoch: first.epoch });
    expect(JSON.parse(second.frame)).toEqual({ type: 'message', seq: 2, epoch: first.epoch, data: 'b' });
    // Another room never shares the stream.
    expect((await history.append(uniqueRoom(), frame('c'))).epoch).not.toBe(first.epoch);
  });

  it('gives concurrent publishers of different containers distinct, gap-free seqs', async () => {
    const room = uniqueRoom();
    // A Lambda container runs one invocation at a time: each publisher appends in turn, all at once.
    const containers = Array.from({ length: 5 }, () => store());
    const perContainer = 8;
    const stored = (
      await Promise.all(
        containers.map(async (history, c) => {
          const mine = [];
          for (let i = 0; i < perContainer; i += 1) mine.push(await history.append(room, frame(`${c}-${i}`)));
          return mine;
        }),
      )
    ).flat();
    const seqs = stored.map((s) => s.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: containers.length * perContainer }, (_, i) => i + 1));
    expect(new Set(stored.map((s) => s.epoch)).size).toBe(1);
    const page = await store().read(room, { since: 0, limit: 200 });
    expect(page.messages.map((m) => m.seq)).toEqual(seqs);
    expect(page).toMatchObject({ lastSeq: 40, recovered: true, more: false });
  });

  it('a burst of 20 simultaneous first publishes into one room still allocates 1..20 (no one gives up)', async () => {
    const room = uniqueRoom();
    const stored = await Promise.all(Array.from({ length: 20 }, (_, i) => store().append(room, frame(String(i)))));
    expect(stored.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(stored.map((s) => s.epoch)).size).toBe(1);
  });

  it('a stale cache entry loses the conditional put and retries with the next free seq', async () => {
    const room = uniqueRoom();
    const a = store();
    const b = store();
    await a.append(room, frame('a1'));
    await a.append(room, frame('a2'));
    // b takes seq 3 behind a's back; a's cache still says 2.
    expect((await b.append(room, frame('b3'))).seq).toBe(3);
    const built: number[] = [];
    const next = await a.append(room, (p) => {
      built.push(p.seq);
      return frame('a4')(p);
    });
    expect(built).toEqual([3, 4]);
    expect(next.seq).toBe(4);
    const page = await a.read(room, { since: 0, limit: 10 });
    expect(page.messages.map((m) => JSON.parse(m.frame).data)).toEqual(['a1', 'a2', 'b3', 'a4']);
  });

  it('skips expired items: "gone", with the missed range, while the epoch carries on', async () => {
    const room = uniqueRoom();
    let now = NOW;
    const history = store({ clock: () => now });
    const first = await history.append(room, frame('1'));
    await history.append(room, frame('2'));
    now += 400;
    await history.append(room, frame('3'));
    now = NOW + TTL; // items 1 and 2 are expired (expiresAt <= now), 3 is not; dynalite keeps them all
    const page = await history.read(room, { since: 0, epoch: first.epoch, limit: 10 });
    expect(page.messages.map((m) => m.seq)).toEqual([3]);
    expect(page).toMatchObject({ epoch: first.epoch, lastSeq: 3, recovered: false, missed: { from: 1, to: 2 } });
    expect(await history.read(room, { since: 2, epoch: first.epoch, limit: 10 })).toMatchObject({ recovered: true });

    // Everything expired, but the items still exist: a new container continues the epoch.
    now = NOW + 10 * TTL;
    const later = store({ clock: () => now });
    const gone = await later.read(room, { since: 1, epoch: first.epoch, limit: 10 });
    expect(gone).toMatchObject({ messages: [], lastSeq: 3, recovered: false, missed: { from: 2, to: 3 } });
    expect(await later.append(room, frame('4'))).toMatchObject({ seq: 4, epoch: first.epoch });
  });

  it('the cache is not trusted past half the window: a new publish reads the room first', async () => {
    const room = uniqueRoom();
    let now = NOW;
    const a = store({ clock: () => now });
    await a.append(room, frame('1'));
    await store({ clock: () => now }).append(room, frame('2'));
    now += TTL / 2;
    const built: number[] = [];
    await a.append(room, (p) => (built.push(p.seq), frame('3')(p)));
    // Read, not guessed: no conflict round trip.
    expect(built).toEqual([3]);
  });

  it('tells another epoch apart: not recovered, no missed range, the retained messages from the oldest', async () => {
    const room = uniqueRoom();
    const history = store();
    await history.append(room, frame('1'));
    await history.append(room, frame('2'));
    const page = await history.read(room, { since: 7, epoch: 'an-old-epoch', limit: 10 });
    expect(page.recovered).toBe(false);
    expect(page.missed).toBeUndefined();
    expect(page.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('answers a room without history with epoch null', async () => {
    const history = store();
    expect(await history.read(uniqueRoom(), { limit: 10 })).toEqual({ epoch: null, lastSeq: 0, messages: [], more: false, recovered: true });
    expect(await history.read(uniqueRoom(), { since: 0, limit: 10 })).toMatchObject({ recovered: true });
    expect(await history.read(uniqueRoom(), { since: 5, epoch: 'gone-epoch', limit: 10 })).toMatchObject({ epoch: null, recovered: false });
  });

  it('without since returns only the position; since = lastSeq is fully recovered with nothing to send', async () => {
    const room = uniqueRoom();
    const history = store();
    const { epoch } = await history.append(room, frame('1'));
    expect(await history.read(room, { limit: 10 })).toEqual({ epoch, lastSeq: 1, messages: [], more: false, recovered: true });
    expect(await history.read(room, { since: 1, epoch, limit: 10 })).toEqual({ epoch, lastSeq: 1, messages: [], more: false, recovered: true });
  });

  it('serves at most HISTORY_MAX_MESSAGES: an older position is not recovered', async () => {
    const room = uniqueRoom();
    const history = store({ maxMessages: 3 });
    for (let i = 1; i <= 5; i += 1) await history.append(room, frame(String(i)));
    const old = await history.read(room, { since: 0, limit: 10 });
    expect(old.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(old).toMatchObject({ recovered: false, missed: { from: 1, to: 2 } });
    expect(await history.read(room, { since: 1, limit: 10 })).toMatchObject({ recovered: false, missed: { from: 2, to: 2 } });
    const recent = await history.read(room, { since: 2, limit: 10 });
    expect(recent).toMatchObject({ recovered: true });
    expect(recent.missed).toBeUndefined();
  });

  it('pages by count and by bytes, always at least one message', async () => {
    const room = uniqueRoom();
    const history = store();
    for (let i = 1; i <= 5; i += 1) await history.append(room, frame('x'.repeat(100)));
    const first = await history.read(room, { since: 0, limit: 2 });
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(first.more).toBe(true);
    const rest = await history.read(room, { since: 2, limit: 10 });
    expect(rest.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(rest.more).toBe(false);
    const size = Buffer.byteLength(first.messages[0]!.frame) + 1;
    const byBytes = await history.read(room, { since: 0, limit: 10, maxBytes: 2 * size + 1 });
    expect(byBytes.messages).toHaveLength(2);
    expect(byBytes.more).toBe(true);
    expect((await history.read(room, { since: 0, limit: 10, maxBytes: 1 })).messages).toHaveLength(1);
  });

  it('lastPosition: undefined for a room without items, else the newest item’s position', async () => {
    const room = uniqueRoom();
    const history = store();
    expect(await history.lastPosition(room)).toBeUndefined();
    await history.append(room, frame('a'));
    const second = await history.append(room, frame('b'));
    // Another container, without a cached position, reads the same.
    expect(await store().lastPosition(room)).toEqual({ epoch: second.epoch, seq: 2 });
  });

  it('keeps the exclusion a publish had with the item and returns it to readers', async () => {
    const room = uniqueRoom();
    const history = store();
    await history.append(room, frame('a'));
    const excluded = await history.append(room, frame('b'), { excludeUserId: 'alice', excludeConnectionId: 'c-1' });
    expect(excluded).toMatchObject({ seq: 2, excludeUserId: 'alice', excludeConnectionId: 'c-1' });
    const page = await store().read(room, { since: 0, limit: 10 });
    expect(page.messages.map(({ seq, excludeUserId, excludeConnectionId }) => ({ seq, excludeUserId, excludeConnectionId }))).toEqual([
      { seq: 1, excludeUserId: undefined, excludeConnectionId: undefined },
      { seq: 2, excludeUserId: 'alice', excludeConnectionId: 'c-1' },
    ]);
    expect(page.messages[0]).not.toHaveProperty('excludeUserId');
  });
});
