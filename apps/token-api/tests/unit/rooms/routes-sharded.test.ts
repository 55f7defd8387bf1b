import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { createLambdaShardDispatcher, type FanOutShardJob, type PublishStatus, type PublishStatusStore } from '@roomgate/shared/delivery';
import type { LifecycleEvent } from '@roomgate/shared/events';
import { describe, expect, it } from 'vitest';
import { CHAT_KEY } from '../../helpers/fixtures.ts';
import { chatRoom, closingRoomsTestApps, memoryRooms, publish } from '../../helpers/rooms-fakes.ts';

const setup = closingRoomsTestApps();

/** Lambda's Invoke API for the shard function: records each job; shards listed in `refuse` fail as an outage would (after the SDK's retries). */
function fakeLambda() {
  const invoked: FanOutShardJob[] = [];
  const refuse = new Set<number>();
  const client = {
    async send(command: InvokeCommand) {
      const job = JSON.parse(new TextDecoder().decode(command.input.Payload as Uint8Array)) as FanOutShardJob;
      if (refuse.has(job.index)) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
      invoked.push(job);
      return { StatusCode: 202, $metadata: { httpStatusCode: 202 } };
    },
  };
  return { client: client as unknown as LambdaClient, invoked, refuse };
}

/** The publishes table in memory: the status the Rooms API writes and reads (the DynamoDB store is tested on dynalite). */
function memoryStatus() {
  const items = new Map<string, { status: PublishStatus; undispatched: FanOutShardJob[] }>();
  const store: Pick<PublishStatusStore, 'create' | 'get' | 'keepUndispatched' | 'takeUndispatched' | 'clearUndispatched'> = {
    async create({ publishId, roomId, shards }) {
      const zero = { delivered: 0, failed: 0, stale: 0, throttled: 0, shardsDone: 0, shardsFailed: 0 };
      items.set(publishId, { status: { publishId, roomId, shards, state: 'queued', queuedAt: 0, ...zero }, undispatched: [] });
    },
    async get(roomId, publishId) {
      const item = items.get(publishId);
      return item?.status.roomId === roomId ? item.status : undefined;
    },
    async keepUndispatched(jobs) {
      items.get(jobs[0]!.publishId)!.undispatched = [...jobs];
    },
    async takeUndispatched(roomId, publishId) {
      const item = items.get(publishId);
      return item?.status.roomId === roomId ? [...item.undispatched] : [];
    },
    async clearUndispatched(publishId) {
      items.get(publishId)!.undispatched = [];
    },
  };
  return { store, items };
}

/** chat-1 (4 members) past a threshold of 2: sharded, one shard per member at most. */
function shardedApp() {
  const lambda = fakeLambda();
  const status = memoryStatus();
  const events: LifecycleEvent[] = [];
  const rows = chatRoom();
  const t = setup(rows, {
    sharding: {
      store: memoryRooms(rows).store,
      dispatcher: createLambdaShardDispatcher({ client: lambda.client, functionName: 'roomgate-socket-test-fanOutShard' }),
      status: status.store,
      threshold: 2,
      shardSize: 1,
      maxShards: 4,
    },
    publishStatus: status.store,
    events: { emit: async (event) => void events.push(event) },
  });
  return { ...t, lambda, status, events };
}

describe('POST /v1/rooms/{roomId}/messages into a room past the sharding threshold', () => {
  it('answers 202 {publishId, state: queued, shards}, queues one job per shard and posts nothing itself; GET …/publishes/{id} reads the status', async () => {
    const { app, mgmt, lambda } = shardedApp();
    const res = await publish(app, 'chat-1', { data: { text: 'hi all' } });

    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({ publishId: expect.stringMatching(PUBLISH_ID_PATTERN), state: 'queued', shards: lambda.invoked.length });
    expect(lambda.invoked.length).toBeGreaterThan(1);
    expect(lambda.invoked.map((job) => job.index)).toEqual(lambda.invoked.map((_, i) => i));
    expect(new Set(lambda.invoked.map((job) => job.publishId))).toEqual(new Set([body.publishId]));
    expect(mgmt.posts).toEqual([]);

    const status = await app.inject({ method: 'GET', url: `/v1/rooms/chat-1/publishes/${body.publishId}`, headers: { 'x-api-key': CHAT_KEY } });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ publishId: body.publishId, state: 'queued', shards: body.shards, delivered: 0 });
    const elsewhere = await app.inject({ method: 'GET', url: `/v1/rooms/chat-2/publishes/${body.publishId}`, headers: { 'x-api-key': CHAT_KEY } });
    expect(elsewhere.statusCode).toBe(404);
  });

  it('emits roomgate.message.published saying queued, with its shards and no counts (they are not known yet)', async () => {
    const { app, events } = shardedApp();
    const body = (await publish(app, 'chat-1', { data: 1 })).json();
    expect(events).toEqual([
      {
        detailType: 'roomgate.message.published',
        detail: {
          roomId: 'chat-1',
          origin: 'server',
          bytes: expect.any(Number),
          publishId: body.publishId,
          queued: { shards: body.shards },
          at: expect.any(Number),
        },
      },
    ]);
  });

  it('when some shards cannot be queued: 503, and a retry with the same Idempotency-Key queues only those, then answers the 202', async () => {
    const { app, lambda } = shardedApp();
    lambda.refuse.add(1);
    const headers = { 'x-api-key': CHAT_KEY, 'idempotency-key': 'webinar-42' };

    const first = await publish(app, 'chat-1', { data: 'x' }, headers);
    expect(first.statusCode).toBe(503);
    expect(first.json().error.code).toBe('ERR_STORE_UNAVAILABLE');
    const queuedFirst = lambda.invoked.map((job) => job.index);
    expect(queuedFirst).not.toContain(1);
    const { publishId, shards } = lambda.invoked[0]!;

    // Still refused: 503 again, nothing else queued twice.
    expect((await publish(app, 'chat-1', { data: 'x' }, headers)).statusCode).toBe(503);
    expect(lambda.invoked.map((job) => job.index)).toEqual(queuedFirst);

    lambda.refuse.clear();
    const retry = await publish(app, 'chat-1', { data: 'x' }, headers);
    expect(retry.statusCode).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual({ publishId, state: 'queued', shards });
    // Exactly the shard that was missing, with the same publish and frame.
    expect(lambda.invoked.slice(queuedFirst.length)).toEqual([expect.objectContaining({ publishId, index: 1, frame: lambda.invoked[0]!.frame })]);

    // Every shard queued once: a further retry queues nothing.
    expect((await publish(app, 'chat-1', { data: 'x' }, headers)).statusCode).toBe(202);
    expect(lambda.invoked.map((job) => job.index).sort()).toEqual(Array.from({ length: shards }, (_, i) => i));
  });
});
