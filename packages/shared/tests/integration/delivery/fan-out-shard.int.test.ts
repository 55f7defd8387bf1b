import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeliveryFailedError, StoreUnavailableError } from '../../../src/errors.ts';
import { runFanOutShard, type FanOutShardJob } from '../../../src/delivery/fan-out-shard.ts';
import { newPublishId } from '../../../src/delivery/message-publisher.ts';
import { planShards } from '../../../src/delivery/key-range.ts';
import { createPublishStatusStore, type PublishStatusStore } from '../../../src/delivery/publish-status.ts';
import { createConnectionStore, type ConnectionStore } from '../../../src/store/connection-store.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { uniqueRoom } from '../../helpers/local-table.ts';

let dynamo: DynamoDBClient;
let store: ConnectionStore;
let status: PublishStatusStore;

beforeAll(() => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  // Pages of 7: every shard reads several pages of its range.
  store = createConnectionStore({ client: dynamo, tableName: inject('tableName'), pageSize: 7, rangePageSize: 7 });
  status = createPublishStatusStore({ client: dynamo, tableName: inject('publishesTableName'), deadlineSeconds: 420 });
});
afterAll(() => dynamo?.destroy());

/** Real rows in dynalite: ids like API Gateway's (random base64-ish), connected a minute ago. */
async function seedRoom(size: number): Promise<string[]> {
  const roomId = uniqueRoom();
  const connectedAt = Math.floor(Date.now() / 1000) - 60;
  const ids = Array.from({ length: size }, () => randomUUID().replace(/-/g, '').slice(0, 16));
  await Promise.all(ids.map((connectionId) => store.put({ connectionId, roomId, capabilities: ['subscribe'], tokenExpiresAt: 0, connectedAt })));
  return [roomId, ...ids];
}

/** The jobs a publisher would dispatch for this room, planned from its first page only. */
async function jobsFor(roomId: string, firstPage: number): Promise<FanOutShardJob[]> {
  const page = await store.listRoom(roomId, { limit: firstPage });
  const plan = planShards({ firstPageKeys: page.members.map((m) => m.connectionId), shardSize: 15, maxShards: 10 });
  const publishId = newPublishId();
  await status.create({ publishId, roomId, shards: plan.ranges.length });
  const frame = Buffer.from('{"type":"message"}').toString('base64');
  return plan.ranges.map((range, index) => ({ kind: 'roomgate.fan-out-shard', publishId, roomId, index, shards: plan.ranges.length, range, frame }));
}

describe('runFanOutShard against dynalite (the byRoom index, the publishes table)', () => {
  it('the shards of one publish post every member exactly once, and the status reaches done with delivered = members', async () => {
    const [roomId, ...members] = await seedRoom(60);
    const jobs = await jobsFor(roomId!, 10);
    expect(jobs.length).toBeGreaterThan(2);
    const posted: string[] = [];
    const management = { post: async (connectionId: string) => void posted.push(connectionId) };
    const results = await Promise.all(jobs.map((job) => runFanOutShard({ store, management, status, logger: silentLogger, concurrency: 4 }, job)));

    expect(posted.slice().sort()).toEqual(members.slice().sort());
    expect(results.reduce((sum, r) => sum + r.delivered, 0)).toBe(members.length);
    expect(await status.get(roomId!, jobs[0]!.publishId)).toMatchObject({
      state: 'done',
      delivered: 60,
      failed: 0,
      stale: 0,
      shards: jobs.length,
      shardsDone: jobs.length,
    });
  });

  it('a shard delivered twice (a retried Invoke) posts once: the claim makes the repeat a no-op', async () => {
    const [roomId] = await seedRoom(20);
    const [job] = await jobsFor(roomId!, 50);
    let posts = 0;
    const deps = { store, management: { post: async () => void (posts += 1) }, status, logger: silentLogger, concurrency: 4 };
    const [first, second] = await Promise.all([runFanOutShard(deps, job!), runFanOutShard(deps, job!)]);
    expect([first.skipped, second.skipped].sort()).toEqual([false, true]);
    expect(posts).toBe(20);
  });

  it('throttling is retried and counted; a post that stays throttled gives up and counts as failed', async () => {
    const [roomId, ...members] = await seedRoom(12);
    const jobs = await jobsFor(roomId!, 50);
    const stuck = members[0]!;
    const seen = new Map<string, number>();
    const management = {
      async post(connectionId: string) {
        const n = (seen.get(connectionId) ?? 0) + 1;
        seen.set(connectionId, n);
        // Every member is throttled once; one of them forever.
        if (n === 1 || connectionId === stuck) throw new DeliveryFailedError(connectionId, { httpStatusCode: 429 });
      },
    };
    const retry = { sleep: async () => undefined, random: () => 0.5, maxAttempts: 4 };
    const results = await Promise.all(jobs.map((job) => runFanOutShard({ store, management, status, logger: silentLogger, concurrency: 3, retry }, job)));
    const total = results.reduce((sum, r) => ({ delivered: sum.delivered + r.delivered, failed: sum.failed + r.failed, gaveUp: sum.gaveUp + r.gaveUp }), {
      delivered: 0,
      failed: 0,
      gaveUp: 0,
    });
    expect(total).toEqual({ delivered: 11, failed: 1, gaveUp: 1 });
    expect(await status.get(roomId!, jobs[0]!.publishId)).toMatchObject({ state: 'done', delivered: 11, failed: 1, throttled: 11 + 4 });
  });

  it('a shard reads its range in pages of rangePageSize, each row only the attributes a post needs', async () => {
    const [roomId, ...members] = await seedRoom(25);
    let queries = 0;
    const counting = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
    counting.middlewareStack.add((next) => (args) => ((queries += 1), next(args)), { step: 'initialize', name: 'countQueries' });
    const big = createConnectionStore({ client: counting, tableName: inject('tableName'), rangePageSize: 10 });
    const seen = [];
    for await (const target of big.roomRange(roomId!, {})) seen.push(target);
    counting.destroy();
    // 25 rows in pages of 10: three Queries (the store's default pageSize of 100 would read one, 7 would read four).
    expect(queries).toBe(3);
    expect(seen.map((t) => t.connectionId).sort()).toEqual(members.slice().sort());
    // No roomId, cap or connectedAt: the Query projected them away (a row here has no userId either).
    for (const target of seen) expect(Object.keys(target).sort()).toEqual(['connectionId', 'expiresAt']);
  });

  it('a shard whose listing fails midway records what it delivered before, and counts itself failed', async () => {
    const [roomId] = await seedRoom(30);
    const [job] = await jobsFor(roomId!, 50);
    const failing = {
      deleteGone: store.deleteGone,
      async *roomRange(room: string, range: FanOutShardJob['range']) {
        let n = 0;
        for await (const target of store.roomRange(room, range)) {
          if (++n > 12) throw new StoreUnavailableError('connection store query failed', { cause: new Error('ECONNRESET') });
          yield target;
        }
      },
    };
    let posts = 0;
    const deps = { store: failing, management: { post: async () => void (posts += 1) }, status, logger: silentLogger, concurrency: 1 };
    await expect(runFanOutShard(deps, job!)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(posts).toBe(12);
    expect(await status.get(roomId!, job!.publishId)).toMatchObject({ delivered: 12, shardsFailed: 1, shardsDone: 0 });
  });

  it('keeps the jobs a publisher could not queue (frame once, exclusion kept), gives them back to this room only, and forgets them when cleared', async () => {
    const [roomId] = await seedRoom(30);
    const jobs = (await jobsFor(roomId!, 10)).map((job) => ({ ...job, exclude: { excludeUserId: 'alice' } }));
    const missing = [jobs[1]!, jobs.at(-1)!];
    await status.keepUndispatched(missing);
    expect(await status.takeUndispatched(roomId!, jobs[0]!.publishId)).toEqual(missing);
    expect(await status.takeUndispatched('some-other-room', jobs[0]!.publishId)).toEqual([]);
    // The status reads as before: the kept jobs are not counts.
    expect(await status.get(roomId!, jobs[0]!.publishId)).toMatchObject({ state: 'queued', shards: jobs.length, delivered: 0 });
    await status.clearUndispatched(jobs[0]!.publishId);
    expect(await status.takeUndispatched(roomId!, jobs[0]!.publishId)).toEqual([]);
  });

  it('reads another room’s publish as unknown', async () => {
    const [roomId] = await seedRoom(1);
    const [job] = await jobsFor(roomId!, 50);
    expect(await status.get('some-other-room', job!.publishId)).toBeUndefined();
    expect(await status.get(roomId!, job!.publishId)).toMatchObject({ state: 'queued' });
  });
});
