import { describe, expect, it } from 'vitest';
import type { RoomMember } from '../../../src/store/connection-item.ts';
import { StoreUnavailableError, ConnectionGoneError, DeliveryFailedError } from '../../../src/errors.ts';
import { createBroadcaster } from '../../../src/delivery/fan-out.ts';
import type { ManagementApi } from '../../../src/delivery/management-api.ts';
import type { Logger } from '../../../src/runtime/logger.ts';

const NOW = 1_750_000_000;
const member = (connectionId: string, extra: Partial<RoomMember> = {}): RoomMember => ({
  connectionId,
  roomId: 'r',
  capabilities: ['subscribe'],
  expiresAt: NOW + 100,
  ...extra,
});

function fakeStore(members: RoomMember[], options: { failAfter?: number } = {}) {
  const deleted: string[] = [];
  return {
    deleted,
    async *roomConnections() {
      let n = 0;
      for (const m of members) {
        if (options.failAfter !== undefined && n++ >= options.failAfter) throw new StoreUnavailableError();
        yield m;
      }
    },
    async deleteGone(id: string) {
      deleted.push(id);
      return 'deleted' as const;
    },
  };
}

type Outcome = 'ok' | 'gone' | 'bare410' | 'fail';

function fakeManagement(outcomes: Record<string, Outcome>, delayMs = 0) {
  let inFlight = 0;
  const stats = { maxInFlight: 0, posted: [] as string[] };
  const management: Pick<ManagementApi, 'post'> = {
    async post(connectionId) {
      inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delayMs));
      inFlight -= 1;
      stats.posted.push(connectionId);
      const outcome = outcomes[connectionId] ?? 'ok';
      if (outcome === 'gone') throw new ConnectionGoneError(connectionId);
      if (outcome === 'bare410') throw Object.assign(new Error('Unknown'), { name: 'Unknown', $metadata: { httpStatusCode: 410 } });
      if (outcome === 'fail') throw new DeliveryFailedError(connectionId, { httpStatusCode: 429 });
    },
  };
  return { management, stats };
}

function memoryLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: 'info', msg, ...(fields ? { fields } : {}) }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, ...(fields ? { fields } : {}) }),
    error: (msg, fields) => lines.push({ level: 'error', msg, ...(fields ? { fields } : {}) }),
  };
}

describe('broadcast', () => {
  it('counts delivered, failed and stale; deletes exactly the connections that answered 410', async () => {
    const store = fakeStore(['sender', 'a', 'gone-typed', 'gone-bare', 'throttled'].map((id) => member(id)));
    const { management } = fakeManagement({ 'gone-typed': 'gone', 'gone-bare': 'bare410', throttled: 'fail' });
    const logger = memoryLogger();
    const broadcaster = createBroadcaster({ store, management, logger, clock: () => NOW });
    expect(await broadcaster.broadcast('r', 'payload')).toEqual({ delivered: 2, failed: 1, stale: 2 });
    expect(store.deleted.sort()).toEqual(['gone-bare', 'gone-typed']);
    expect(logger.lines.find((l) => l.level === 'warn')?.fields).toMatchObject({ connectionId: 'throttled' });
  });

  it('never posts to or deletes the excluded connection', async () => {
    const store = fakeStore([member('sender'), member('a')]);
    const { management, stats } = fakeManagement({ sender: 'gone' });
    const result = await createBroadcaster({ store, management, logger: memoryLogger(), clock: () => NOW }).broadcast('r', 'x', {
      excludeConnectionId: 'sender',
    });
    expect(result).toEqual({ delivered: 1, failed: 0, stale: 0 });
    expect(stats.posted).toEqual(['a']);
    expect(store.deleted).toEqual([]);
  });

  it('skips every connection of the excluded user (and users without an id are never excluded)', async () => {
    const store = fakeStore([
      member('alice-1', { userId: 'alice' }),
      member('bob-1', { userId: 'bob' }),
      member('alice-2', { userId: 'alice' }),
      member('anon'),
    ]);
    const { management, stats } = fakeManagement({});
    const result = await createBroadcaster({ store, management, logger: memoryLogger(), clock: () => NOW }).broadcast('r', 'x', { excludeUserId: 'alice' });
    expect(result).toEqual({ delivered: 2, failed: 0, stale: 0 });
    expect(stats.posted.sort()).toEqual(['anon', 'bob-1']);
  });

  it('keeps at most `concurrency` posts in flight', async () => {
    const store = fakeStore(Array.from({ length: 25 }, (_, i) => member(`c${i}`)));
    const { management, stats } = fakeManagement({}, 5);
    const result = await createBroadcaster({ store, management, logger: memoryLogger(), concurrency: 4, clock: () => NOW }).broadcast('r', 'x');
    expect(result.delivered).toBe(25);
    expect(stats.maxInFlight).toBe(4);
  });

  it('drops members past their TTL backstop without posting to them', async () => {
    const store = fakeStore([member('old', { expiresAt: NOW - 1 }), member('new')]);
    const { management, stats } = fakeManagement({});
    const result = await createBroadcaster({ store, management, logger: memoryLogger(), clock: () => NOW }).broadcast('r', 'x');
    expect(result).toEqual({ delivered: 1, failed: 0, stale: 1 });
    expect(stats.posted).toEqual(['new']);
    expect(store.deleted).toEqual(['old']);
  });

  it('still counts a stale connection whose delete fails (the TTL removes it later)', async () => {
    const store = fakeStore([member('gone')]);
    store.deleteGone = async () => {
      throw new StoreUnavailableError();
    };
    const { management } = fakeManagement({ gone: 'gone' });
    const logger = memoryLogger();
    expect(await createBroadcaster({ store, management, logger, clock: () => NOW }).broadcast('r', 'x')).toEqual({ delivered: 0, failed: 0, stale: 1 });
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', msg: 'fan-out could not remove stale connection' });
  });

  it('throws StoreUnavailableError when the room cannot be listed', async () => {
    const store = fakeStore([member('a'), member('b'), member('c')], { failAfter: 1 });
    const { management } = fakeManagement({});
    await expect(createBroadcaster({ store, management, logger: memoryLogger(), clock: () => NOW }).broadcast('r', 'x')).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('handles an empty room', async () => {
    const { management } = fakeManagement({});
    expect(await createBroadcaster({ store: fakeStore([]), management, logger: memoryLogger(), clock: () => NOW }).broadcast('r', 'x')).toEqual({
      delivered: 0,
      failed: 0,
      stale: 0,
    });
  });
});

describe('a payload that is still being stored (history on)', () => {
  it('reads the room while the payload settles, and posts only once it resolves', async () => {
    const order: string[] = [];
    const store = fakeStore([member('c1'), member('c2')]);
    const listing = store.roomConnections.bind(store);
    store.roomConnections = async function* () {
      order.push('listed');
      yield* listing();
    };
    const { management, stats } = fakeManagement({});
    let resolve!: (text: string) => void;
    const payload = new Promise<string>((r) => (resolve = r));
    const broadcasting = createBroadcaster({ store, management, logger: memoryLogger(), clock: () => NOW }).broadcast('r', payload);
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['listed']);
    expect(stats.posted).toEqual([]);
    resolve('{"type":"message"}');
    expect(await broadcasting).toEqual({ delivered: 2, failed: 0, stale: 0 });
  });

  it.each([
    ['a room with members', [member('c1'), member('c2')]],
    ['an empty room', []],
  ])('posts nothing when the payload is refused (%s), and throws its reason without an error line', async (_name, members) => {
    const { management, stats } = fakeManagement({});
    const logger = memoryLogger();
    const refusal = new StoreUnavailableError('history store put failed');
    const payload = Promise.reject(refusal);
    await expect(createBroadcaster({ store: fakeStore(members), management, logger, clock: () => NOW }).broadcast('r', payload)).rejects.toBe(refusal);
    expect(stats.posted).toEqual([]);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
