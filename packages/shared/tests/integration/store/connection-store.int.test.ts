import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_GATEWAY_MAX_CONNECTION_SECONDS,
  HANDSHAKE_WINDOW_SECONDS,
  createConnectionStore,
  type ConnectionStore,
} from '../../../src/store/connection-store.ts';
import { ConnectionNotFoundError, InvalidCursorError, StoreUnavailableError } from '../../../src/errors.ts';
import type { RoomMember } from '../../../src/store/connection-item.ts';
import { LIVENESS_WINDOW_SECONDS } from '../../../src/store/liveness.ts';
import { localConnectionsTable, uniqueRoom, type LocalTable } from '../../helpers/local-table.ts';

const NOW = 1_750_000_000;
let table: LocalTable;
let store: ConnectionStore;

beforeAll(async () => {
  table = await localConnectionsTable();
  store = createConnectionStore({ client: table.client, tableName: table.tableName, pageSize: 2, clock: () => NOW });
});
afterAll(async () => table?.close());

const connection = (connectionId: string, roomId: string, extra: { userId?: string; connectedAt?: number } = {}) => ({
  connectionId,
  roomId,
  capabilities: ['subscribe' as const, 'publish' as const],
  tokenExpiresAt: NOW + 300,
  ...extra,
});

async function collect(iterator: AsyncIterable<RoomMember>): Promise<RoomMember[]> {
  const members: RoomMember[] = [];
  for await (const member of iterator) members.push(member);
  return members;
}

describe('connection store on dynalite', () => {
  it('puts and gets a connection, live until the liveness window after connecting (idle timeout + touch interval + 30 s)', async () => {
    const room = uniqueRoom();
    const written = await store.put(connection(`${room}-c1`, room, { userId: 'alice' }));
    expect(written.expiresAt).toBe(NOW + LIVENESS_WINDOW_SECONDS);
    expect(LIVENESS_WINDOW_SECONDS).toBe(690);
    expect(await store.get(`${room}-c1`)).toEqual({
      connectionId: `${room}-c1`,
      roomId: room,
      userId: 'alice',
      capabilities: ['subscribe', 'publish'],
      connectedAt: NOW,
      tokenExpiresAt: NOW + 300,
      expiresAt: written.expiresAt,
      lastSeenAt: NOW,
    });
  });

  it('touch moves lastSeenAt and the deadline, never past the 2 h backstop; false for a gone row', async () => {
    const room = uniqueRoom();
    await store.put(connection(`${room}-c1`, room));
    expect(await store.touch({ connectionId: `${room}-c1`, connectedAt: NOW }, NOW + 600)).toBe(true);
    expect(await store.get(`${room}-c1`)).toMatchObject({ lastSeenAt: NOW + 600, expiresAt: NOW + 600 + LIVENESS_WINDOW_SECONDS });
    const cap = NOW + API_GATEWAY_MAX_CONNECTION_SECONDS + 15 * 60;
    await store.touch({ connectionId: `${room}-c1`, connectedAt: NOW }, cap - 10);
    expect((await store.get(`${room}-c1`))?.expiresAt).toBe(cap);
    expect(await store.touch({ connectionId: `${room}-gone`, connectedAt: NOW }, NOW)).toBe(false);
    expect(await store.get(`${room}-gone`)).toBeUndefined();
  });

  it('tells its observer about each row it adds and each row it removes, with the reason, once', async () => {
    const room = uniqueRoom();
    const heard: string[] = [];
    const observed = createConnectionStore({
      client: table.client,
      tableName: table.tableName,
      clock: () => NOW,
      observer: {
        added: async (r) => void heard.push(`added ${r.connectionId}`),
        removed: async (r, reason) => void heard.push(`removed ${r.connectionId} ${reason} ${r.userId}`),
      },
    });
    await observed.put(connection(`${room}-a`, room, { userId: 'alice', connectedAt: NOW - 100 }));
    await observed.put(connection(`${room}-b`, room, { userId: 'bob', connectedAt: NOW - 100 }));
    await observed.put(connection(`${room}-c`, room, { userId: 'carol', connectedAt: NOW - 100 }));
    await observed.put(connection(`${room}-d`, room, { userId: 'dave' }));
    expect(await observed.delete(`${room}-a`, 'kicked')).toBe(true);
    expect(await observed.delete(`${room}-a`, 'kicked')).toBe(false);
    expect(await observed.deleteGone(`${room}-b`)).toBe('deleted');
    expect(await observed.deleteDisconnected(`${room}-c`, NOW - 100)).toBe('deleted');
    // Inside the handshake window: kept, so not announced.
    expect(await observed.deleteGone(`${room}-d`)).toBe('kept');
    expect(heard).toEqual([
      `added ${room}-a`,
      `added ${room}-b`,
      `added ${room}-c`,
      `added ${room}-d`,
      `removed ${room}-a kicked alice`,
      `removed ${room}-b gone bob`,
      `removed ${room}-c disconnect carol`,
    ]);
  });

  it('a failing observer never fails the write', async () => {
    const room = uniqueRoom();
    const boom = async () => {
      throw new Error('observer down');
    };
    const observed = createConnectionStore({ client: table.client, tableName: table.tableName, clock: () => NOW, observer: { added: boom, removed: boom } });
    await observed.put(connection(`${room}-a`, room));
    expect(await observed.delete(`${room}-a`)).toBe(true);
  });

  it('keeps a subscriber-only grant and an absent user id as such', async () => {
    const room = uniqueRoom();
    await store.put({ connectionId: `${room}-s`, roomId: room, capabilities: ['subscribe'], tokenExpiresAt: NOW + 60 });
    const record = await store.get(`${room}-s`);
    expect(record?.capabilities).toEqual(['subscribe']);
    expect(record).not.toHaveProperty('userId');
  });

  it('deletes, and deleting again or an unknown id is fine', async () => {
    const room = uniqueRoom();
    await store.put(connection(`${room}-c1`, room));
    expect(await store.delete(`${room}-c1`)).toBe(true);
    expect(await store.get(`${room}-c1`)).toBeUndefined();
    expect(await store.delete(`${room}-c1`)).toBe(false);
    expect(await store.delete('never-existed')).toBe(false);
  });

  describe('deleteGone: after a 410, only a row older than the handshake window is deleted', () => {
    it.each([
      ['written just now (its $connect may still be running)', NOW, 'kept'],
      ['written 29 s ago', NOW - 29, 'kept'],
      ['written exactly 30 s ago (the window is exclusive)', NOW - HANDSHAKE_WINDOW_SECONDS, 'kept'],
      ['written 31 s ago', NOW - 31, 'deleted'],
      ['written an hour ago', NOW - 3600, 'deleted'],
    ] as const)('a row %s → %s', async (_name, connectedAt, outcome) => {
      const room = uniqueRoom();
      await store.put({ ...connection(`${room}-c`, room), connectedAt });
      expect(await store.deleteGone(`${room}-c`)).toBe(outcome);
      expect((await store.get(`${room}-c`)) === undefined).toBe(outcome === 'deleted');
    });

    it('a row without connectedAt (written by an older version) counts as old', async () => {
      const room = uniqueRoom();
      await table.client.send(
        new PutItemCommand({ TableName: table.tableName, Item: { connectionId: { S: `${room}-c` }, roomId: { S: room }, cap: { L: [{ S: 'subscribe' }] } } }),
      );
      expect(await store.deleteGone(`${room}-c`)).toBe('deleted');
      expect(await store.get(`${room}-c`)).toBeUndefined();
    });

    it('an unknown id is absent, and nothing is created', async () => {
      expect(await store.deleteGone(`${uniqueRoom()}-nobody`)).toBe('absent');
    });

    it('the check and the delete are one conditional write: a row rewritten young after the read survives', async () => {
      // Fan-out read an old member from the index; meanwhile the row became young (the store
      // evaluates the condition on the item as it is when DeleteItem runs, not as listed).
      const room = uniqueRoom();
      await store.put({ ...connection(`${room}-c`, room), connectedAt: NOW - 3600 });
      const [listed] = await collect(store.roomConnections(room));
      expect(listed?.connectedAt).toBe(NOW - 3600);
      await table.client.send(
        new UpdateItemCommand({
          TableName: table.tableName,
          Key: { connectionId: { S: `${room}-c` } },
          UpdateExpression: 'SET connectedAt = :now',
          ExpressionAttributeValues: { ':now': { N: String(NOW) } },
        }),
      );
      expect(await store.deleteGone(`${room}-c`)).toBe('kept');
      expect(await store.get(`${room}-c`)).toBeDefined();
    });
  });

  it('put never overwrites: a second put under the same id throws ConnectionExistsError and leaves the row', async () => {
    const room = uniqueRoom();
    const other = uniqueRoom('other');
    const first = await store.put(connection(`${room}-c`, room, { userId: 'alice' }));
    await expect(store.put(connection(`${room}-c`, other, { userId: 'mallory' }))).rejects.toMatchObject({ code: 'ERR_CONNECTION_EXISTS' });
    expect(await store.get(`${room}-c`)).toEqual(first);
    expect(await collect(store.roomConnections(other))).toEqual([]);
  });

  describe('deleteDisconnected: only the row of the connection the event describes', () => {
    // The row's connectedAt is NOW; the event's handshake began at `handshakeAt` (epoch s).
    it.each([
      ['the same second', NOW, 'deleted'],
      ['29 s before the row was written (a slow $connect)', NOW - 29, 'deleted'],
      ["an hour before the row (another connection's time)", NOW - 3600, 'kept'],
      ['a minute after the row was written', NOW + 60, 'kept'],
    ] as const)('a handshake %s → %s', async (_name, handshakeAt, outcome) => {
      const room = uniqueRoom();
      await store.put(connection(`${room}-c`, room));
      expect(await store.deleteDisconnected(`${room}-c`, handshakeAt)).toBe(outcome);
      expect((await store.get(`${room}-c`)) === undefined).toBe(outcome === 'deleted');
    });

    it('an unknown id is absent', async () => {
      expect(await store.deleteDisconnected(`${uniqueRoom()}-nobody`, NOW)).toBe('absent');
    });
  });

  it('moves the token expiry and capabilities on refresh', async () => {
    const room = uniqueRoom();
    await store.put(connection(`${room}-c1`, room));
    await store.updateExpiry(`${room}-c1`, { tokenExpiresAt: NOW + 900, capabilities: ['subscribe'] });
    expect(await store.get(`${room}-c1`)).toMatchObject({ tokenExpiresAt: NOW + 900, capabilities: ['subscribe'] });
  });

  it('refuses to refresh a connection that is gone, with a named error (no row is created)', async () => {
    await expect(store.updateExpiry('gone-conn', { tokenExpiresAt: NOW + 900 })).rejects.toBeInstanceOf(ConnectionNotFoundError);
    expect(await store.get('gone-conn')).toBeUndefined();
  });

  it('lists a room page by page with an opaque cursor, and only that room', async () => {
    const room = uniqueRoom();
    const other = uniqueRoom('other');
    const ids = ['a', 'b', 'c', 'd', 'e'].map((s) => `${room}-${s}`);
    await Promise.all([...ids.map((id) => store.put(connection(id, room))), store.put(connection(`${other}-x`, other))]);

    const first = await store.listRoom(room);
    expect(first.members).toHaveLength(2);
    expect(first.cursor).toEqual(expect.any(String));
    const second = await store.listRoom(room, { cursor: first.cursor! });
    expect(second.members.map((m) => m.connectionId)).toEqual(ids.slice(2, 4));

    const all = await collect(store.roomConnections(room));
    expect(all.map((m) => m.connectionId)).toEqual(ids);
    expect(all[0]).toEqual({
      connectionId: ids[0],
      roomId: room,
      capabilities: ['subscribe', 'publish'],
      connectedAt: NOW,
      expiresAt: NOW + LIVENESS_WINDOW_SECONDS,
    });
    expect(await collect(store.roomConnections(uniqueRoom('empty')))).toEqual([]);
  });

  it('fetches the next page while the current one is being consumed', async () => {
    const room = uniqueRoom();
    const ids = ['a', 'b', 'c', 'd', 'e'].map((s) => `${room}-${s}`);
    await Promise.all(ids.map((id) => store.put(connection(id, room))));
    let queries = 0;
    const counting = createConnectionStore({
      client: {
        send: (command: Parameters<typeof table.client.send>[0]) => {
          if (command.constructor.name === 'QueryCommand') queries += 1;
          return table.client.send(command);
        },
      } as typeof table.client,
      tableName: table.tableName,
      pageSize: 2,
    });
    const iterator = counting.roomConnections(room);
    expect((await iterator.next()).value?.connectionId).toBe(ids[0]);
    expect(queries).toBe(2); // page 1 answered, page 2 already asked for
    const rest = [];
    for await (const member of iterator) rest.push(member.connectionId);
    expect(rest).toEqual(ids.slice(1));
    expect(queries).toBe(3);
  });

  it('honours an explicit page limit', async () => {
    const room = uniqueRoom();
    await Promise.all(['a', 'b', 'c'].map((s) => store.put(connection(`${room}-${s}`, room))));
    const page = await store.listRoom(room, { limit: 3 });
    expect(page.members).toHaveLength(3);
  });

  it.each(['not-base64-json', Buffer.from('{"connectionId":{"N":"1"}}').toString('base64url')])('rejects a forged cursor %s', async (cursor) => {
    await expect(store.listRoom(uniqueRoom(), { cursor })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('converts SDK failures to StoreUnavailableError', async () => {
    const missing = createConnectionStore({ client: table.client, tableName: 'no-such-table' });
    await expect(missing.get('x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(missing.put(connection('x', 'r'))).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    await expect(missing.listRoom('r')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
