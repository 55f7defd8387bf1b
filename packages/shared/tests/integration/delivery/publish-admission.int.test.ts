import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '../../../src/errors.ts';
import { createBroadcaster } from '../../../src/delivery/fan-out.ts';
import { createMessagePublisher, type ShardingOptions } from '../../../src/delivery/message-publisher.ts';
import { createHistoryStore, type HistoryStore } from '../../../src/history/history-store.ts';
import type { LifecycleEvent } from '../../../src/events/lifecycle-event.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { createConnectionStore, type ConnectionStore } from '../../../src/store/connection-store.ts';
import { localConnectionsTable, localHistoryTable, uniqueRoom, type LocalTable } from '../../helpers/local-table.ts';

// Issue 19: `$default` passes its rate-limit write as `admitted`, so the write and the room's first
// page read share one round trip. Nothing may be stored or posted before the write succeeds.
let connections: LocalTable;
let historyTable: LocalTable;
let store: ConnectionStore;
let history: HistoryStore;

beforeAll(async () => {
  [connections, historyTable] = await Promise.all([localConnectionsTable(), localHistoryTable()]);
  store = createConnectionStore({ client: connections.client, tableName: connections.tableName });
  history = createHistoryStore({ client: historyTable.client, tableName: historyTable.tableName, ttlSeconds: 600, maxMessages: 1000 });
});
afterAll(async () => Promise.all([connections?.close(), historyTable?.close()]));

async function roomOf(size: number): Promise<string> {
  const roomId = uniqueRoom();
  for (let i = 0; i < size; i += 1) await store.put({ connectionId: `${roomId}-${i}`, roomId, capabilities: ['subscribe', 'publish'], tokenExpiresAt: 0 });
  return roomId;
}

/** The real store and broadcaster; posts recorded (a management API that answers at once), first-page reads counted. */
function publishPath(options: { history: boolean; sharding: boolean; threshold?: number }) {
  const posts: string[] = [];
  const events: LifecycleEvent[] = [];
  let pageReads = 0;
  const reader: Pick<ConnectionStore, 'listRoom'> = {
    listRoom: async (roomId, page) => {
      const result = await store.listRoom(roomId, page);
      pageReads += 1;
      return result;
    },
  };
  const never = () => {
    throw new Error('a small room is never sharded');
  };
  const sharding: ShardingOptions = {
    store: reader,
    dispatcher: { dispatch: never },
    status: { create: never, keepUndispatched: never, takeUndispatched: never, clearUndispatched: never },
    threshold: options.threshold ?? 1000,
    shardSize: 2000,
    maxShards: 10,
  };
  const management = { post: async (connectionId: string) => void posts.push(connectionId), close: async () => true };
  const publisher = createMessagePublisher({
    broadcaster: createBroadcaster({ store, management, concurrency: 5, logger: silentLogger }),
    history: options.history ? history : undefined,
    maxFrameBytes: 32 * 1024,
    events: { emit: async (event) => void events.push(event) },
    ...(options.sharding && { sharding }),
  });
  return { publisher, posts, events, pageReads: () => pageReads };
}

describe.each([
  { history: false, sharding: true },
  { history: true, sharding: true },
])('a publish with a pending admission (history %o)', (options) => {
  it('reads the first page meanwhile and posts only once admitted', async () => {
    const roomId = await roomOf(3);
    const path = publishPath(options);
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    const publishing = path.publisher.publish({ roomId, from: 'alice', data: { text: 'hi' }, admitted });
    await vi.waitFor(() => expect(path.pageReads()).toBe(1));
    expect(path.posts).toEqual([]);
    if (options.history) expect((await history.read(roomId, { since: 0, limit: 10 })).messages).toEqual([]);
    admit();
    expect(await publishing).toMatchObject({ delivered: 3, failed: 0, stale: 0 });
    expect(path.posts.sort()).toEqual([`${roomId}-0`, `${roomId}-1`, `${roomId}-2`]);
  });
});

describe.each([
  { history: false, sharding: false },
  { history: false, sharding: true },
  { history: true, sharding: true },
])('a refused admission (%o)', (options) => {
  it('is the answer: nothing posted, nothing stored, no event', async () => {
    const roomId = await roomOf(2);
    const path = publishPath(options);
    const refusal = new RateLimitedError();
    const error = await path.publisher.publish({ roomId, from: 'alice', data: 1, admitted: Promise.reject(refusal) }).catch((e: unknown) => e);
    expect(error).toBe(refusal);
    expect(path.posts).toEqual([]);
    expect(path.events).toEqual([]);
    expect((await history.read(roomId, { since: 0, limit: 10 })).messages).toEqual([]);
  });
});

// DynamoDB answers a LastEvaluatedKey whenever a page reaches its Limit, even with nothing after it:
// a room of exactly `threshold` members must still fan out in the publishing invocation (docs/rooms-api.md:
// rooms with more than fanOutShardThreshold members are sharded). The dispatcher here throws if called.
describe('the sharding threshold is "more than threshold members"', () => {
  it.each([{ history: false }, { history: true }])('a room of exactly threshold members fans out here (%o)', async ({ history: withHistory }) => {
    const roomId = await roomOf(3);
    const path = publishPath({ history: withHistory, sharding: true, threshold: 3 });
    expect(await path.publisher.publish({ roomId, from: 'alice', data: 1 })).toMatchObject({ delivered: 3, failed: 0, stale: 0 });
    expect(path.posts).toHaveLength(3);
  });

  it('a room of threshold + 1 members is sharded', async () => {
    const roomId = await roomOf(4);
    const path = publishPath({ history: false, sharding: true, threshold: 3 });
    await expect(path.publisher.publish({ roomId, from: 'alice', data: 1 })).rejects.toThrow(/never sharded/);
    expect(path.posts).toEqual([]);
  });
});
