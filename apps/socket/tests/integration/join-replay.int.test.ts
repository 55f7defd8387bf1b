import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createBroadcaster, createMessagePublisher, type MessagePublisher } from '@roomgate/shared/delivery';
import { createHistoryStore, type HistoryStore } from '@roomgate/shared/history';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WebSocketConnectEvent, WebSocketMessageEvent } from '../../src/events.ts';
import { makeConnectHandler } from '../../src/handlers/connect.ts';
import { makeDefaultHandler } from '../../src/handlers/default.ts';
import { NOW, admitAll, fakeManagement, fakeVerifier, grant, memoryLogger, noRateLimit } from '../helpers/fakes.ts';

/**
 * The join rule and the exclusion rule against the real connection and history tables (dynalite):
 * `$connect` records where a connection joined, `history` without `since` replays what was
 * published after it, and a message a publish withheld from a member comes back as a skip entry.
 */
let dynamo: DynamoDBClient;
let store: ConnectionStore;
let history: HistoryStore;

beforeAll(() => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  store = createConnectionStore({ client: dynamo, tableName: inject('tableName'), clock: () => NOW });
  history = createHistoryStore({ client: dynamo, tableName: inject('historyTableName'), ttlSeconds: 600, maxMessages: 1000, clock: () => NOW });
});
afterAll(() => dynamo.destroy());

function setup() {
  const roomId = `room-${randomUUID().slice(0, 8)}`;
  const verifier = fakeVerifier({ alice: grant({ roomId, userId: 'alice' }), bob: grant({ roomId, userId: 'bob' }) });
  const logger = memoryLogger();
  const management = fakeManagement();
  const broadcaster = createBroadcaster({ store, management, logger, clock: () => NOW });
  const connect = makeConnectHandler({ verifier, store, history, admission: admitAll, logger, clock: () => NOW });
  const handler = makeDefaultHandler({
    verifier,
    store,
    broadcaster,
    history,
    management,
    admission: admitAll,
    rateLimit: noRateLimit,
    logger,
    maxMessageBytes: 128 * 1024,
    clock: () => NOW,
  });
  // A publish whose fan-out reaches nobody: the member's row is not written (or not yet visible in `byRoom`).
  const unseen: MessagePublisher = createMessagePublisher({
    broadcaster: { broadcast: async () => ({ delivered: 0, failed: 0, stale: 0 }) },
    history,
    maxFrameBytes: 128 * 1024,
    clock: () => NOW,
  });
  const publisher = createMessagePublisher({ broadcaster, history, maxFrameBytes: 128 * 1024, clock: () => NOW });

  const join = async (user: 'alice' | 'bob') => {
    const connectionId = `${user}-${randomUUID().slice(0, 8)}`;
    const event: WebSocketConnectEvent = {
      requestContext: { connectionId, routeKey: '$connect', eventType: 'CONNECT' },
      headers: {},
      queryStringParameters: { token: user },
    };
    expect((await connect(event)).statusCode).toBe(200);
    return connectionId;
  };
  const send = async (connectionId: string, body: unknown) => {
    const event: WebSocketMessageEvent = { requestContext: { connectionId, routeKey: '$default', eventType: 'MESSAGE' }, body: JSON.stringify(body) };
    return JSON.parse((await handler(event)).body!) as Record<string, unknown> & { messages: Array<Record<string, unknown>> };
  };
  return { roomId, join, send, publisher, unseen, management };
}

describe('the join position', () => {
  it('$connect stores the room’s last position on the row; history without since replays what came after it', async () => {
    const { roomId, join, send, publisher, unseen } = setup();
    await publisher.publish({ roomId, data: 'before-1' });
    const { epoch } = await publisher.publish({ roomId, data: 'before-2' });
    const conn = await join('alice');
    expect(await store.get(conn)).toMatchObject({ joinSeq: 2, joinEpoch: epoch });

    // Stored after the join, fanned out before the member's row was listed: only the replay has it.
    await unseen.publish({ roomId, data: 'during-join' });
    const reply = await send(conn, { action: 'history', id: 1 });
    expect(reply).toMatchObject({ type: 'history', roomId, epoch, lastSeq: 3, more: false, recovered: true, id: 1 });
    expect(reply.messages.map((m) => [m.seq, m.data])).toEqual([[3, 'during-join']]);
    // With `since` the client's own position rules, as before.
    expect((await send(conn, { action: 'history', epoch, since: 0 })).messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('a room without history at the join: joinSeq 0, and the first epoch is replayed from seq 1', async () => {
    const { roomId, join, send, unseen } = setup();
    const conn = await join('bob');
    const row = await store.get(conn);
    expect(row).toMatchObject({ joinSeq: 0 });
    expect(row).not.toHaveProperty('joinEpoch');
    expect(await send(conn, { action: 'history' })).toMatchObject({ epoch: null, lastSeq: 0, messages: [], recovered: true });

    await unseen.publish({ roomId, data: 'first' });
    const reply = await send(conn, { action: 'history' });
    expect(reply).toMatchObject({ lastSeq: 1, recovered: true });
    expect(reply.messages.map((m) => m.data)).toEqual(['first']);
  });

  it('history off: $connect reads nothing and the row carries no join position', async () => {
    const { roomId } = setup();
    const logger = memoryLogger();
    const connect = makeConnectHandler({ verifier: fakeVerifier({ t: grant({ roomId }) }), store, admission: admitAll, logger, clock: () => NOW });
    const connectionId = `off-${randomUUID().slice(0, 8)}`;
    expect(
      (await connect({ requestContext: { connectionId, routeKey: '$connect', eventType: 'CONNECT' }, headers: {}, queryStringParameters: { token: 't' } }))
        .statusCode,
    ).toBe(200);
    const row = await store.get(connectionId);
    expect(row).toBeDefined();
    expect(row).not.toHaveProperty('joinSeq');
  });
});

describe('excluded members and history', () => {
  it('a message published with excludeUserId is a skip entry in that user’s replay and a message in everyone else’s', async () => {
    const { roomId, join, send, publisher, management } = setup();
    const alice = await join('alice');
    const bob = await join('bob');
    await publisher.publish({ roomId, data: 1 });
    const excluded = await publisher.publish({ roomId, data: 2, broadcast: { excludeUserId: 'alice' } });
    expect(excluded).toMatchObject({ seq: 2, delivered: 1 });
    await publisher.publish({ roomId, data: 3 });
    expect(management.posts.filter((p) => p.connectionId === alice).map((p) => JSON.parse(p.data).data)).toEqual([1, 3]);

    // The gap-fill alice's client does on seeing seq 3 after seq 1.
    const fill = await send(alice, { action: 'history', epoch: excluded.epoch, since: 1 });
    expect(fill).toMatchObject({ lastSeq: 3, recovered: true });
    expect(fill.messages).toEqual([{ type: 'skip', roomId, seq: 2, epoch: excluded.epoch }, expect.objectContaining({ type: 'message', seq: 3, data: 3 })]);
    // A reconnect replay from the start, and the join replay, skip it too.
    expect((await send(alice, { action: 'history', epoch: excluded.epoch, since: 0 })).messages.map((m) => m.type)).toEqual(['message', 'skip', 'message']);
    expect((await send(alice, { action: 'history' })).messages.map((m) => m.type)).toEqual(['message', 'skip', 'message']);
    // Bob was not excluded: he gets the message itself.
    expect((await send(bob, { action: 'history', epoch: excluded.epoch, since: 1 })).messages.map((m) => m.data)).toEqual([2, 3]);
  });

  it('excludeConnectionId is kept the same way: that connection gets a skip entry, the user’s other connections the message', async () => {
    const { roomId, join, send, publisher } = setup();
    const first = await join('alice');
    const second = await join('alice');
    const { epoch } = await publisher.publish({ roomId, data: 'x', broadcast: { excludeConnectionId: first } });
    expect((await send(first, { action: 'history', epoch, since: 0 })).messages).toEqual([{ type: 'skip', roomId, seq: 1, epoch }]);
    expect((await send(second, { action: 'history', epoch, since: 0 })).messages.map((m) => m.data)).toEqual(['x']);
  });
});
